//go:build !linux

package chdb

// load reports that the embedded engine does not run here (see ErrUnsupported).
func load() error { return ErrUnsupported }

type savedSignals struct{}

func saveSignals() *savedSignals { return &savedSignals{} }

func (s *savedSignals) restore() {}
