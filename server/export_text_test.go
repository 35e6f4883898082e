package server

import "testing"

func TestTextNeutralisesFormulaCells(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\",\"y\")": "'=HYPERLINK(\"http://x\",\"y\")",
		"+84 912":                        "'+84 912",
		"-2+3":                           "'-2+3",
		"@SUM(A1)":                       "'@SUM(A1)",
		"\t=1+1":                         "'\t=1+1",
		"\r=1+1":                         "'\r=1+1",
		"＝1+1":                           "'＝1+1",
		"":                               "",
		"Hà Nội":                         "Hà Nội",
		"a=b":                            "a=b",
		"  =1+1":                         "'  =1+1",
		"   ":                            "   ",
		"'quoted":                        "'quoted",
	} {
		if got := text(in); got != want {
			t.Errorf("text(%q) = %q, want %q", in, got, want)
		}
	}
	// Numeric cells do not go through text: a negative change is written as a number.
	if got := csvCell(-8.5); got != "-8.5" {
		t.Errorf("csvCell(-8.5) = %q", got)
	}
	if got := csvCell("-8.5"); got != "'-8.5" {
		t.Errorf("csvCell(\"-8.5\") = %q: text is neutralised", got)
	}
}
