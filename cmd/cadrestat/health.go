package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// HealthMain is `cadrestat health URL`: it exits 0 if URL answers 200 (container
// healthchecks: the image has no curl).
type HealthMain struct{ url string }

func (m *HealthMain) ParseFlags(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: cadrestat health URL")
	}
	m.url = args[0]
	return nil
}

func (m *HealthMain) Run(ctx context.Context) error {
	resp, err := (&http.Client{Timeout: 3 * time.Second}).Get(m.url)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", m.url, resp.Status)
	}
	return nil
}

func (m *HealthMain) Close() error { return nil }
