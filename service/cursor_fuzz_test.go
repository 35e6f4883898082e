package service

import "testing"

// FuzzDecodeCursor: any client-supplied cursor decodes to the ID it encodes or is refused;
// encoded IDs always round-trip.
func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{EncodeCursor("9a131f4764067950"), "", "b2JzOg", "'; DROP TABLE x", "====", "b2JzOicgT1IgMT0x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		id, err := DecodeCursor(c)
		if err != nil {
			return
		}
		if EncodeCursor(id) != c {
			t.Fatalf("cursor %q decodes to %q which encodes differently", c, id)
		}
	})
}
