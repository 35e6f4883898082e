package warehouse

import "testing"

// FuzzFold: folding is idempotent and never grows the text beyond its rune count.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"Cần Thơ", "Cần Thơ", "CẦN THƠ", "Đắk Lắk", "  a  b ", "\u0301", "ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := Fold(s)
		if Fold(once) != once {
			t.Fatalf("Fold not idempotent: %q -> %q -> %q", s, once, Fold(once))
		}
	})
}
