package chdb

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// tempDir is the package's throw-away data folder: chDB serves one folder per process, so
// every test of this package opens this one.
var tempDir string

func TestMain(m *testing.M) {
	var err error
	if tempDir, err = os.MkdirTemp("", "chdb-test-"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(tempDir)
	os.Exit(code)
}

var (
	testOnce sync.Once
	testConn *Conn
	testErr  error
)

func conn(t *testing.T) *Conn {
	t.Helper()
	testOnce.Do(func() { testConn, testErr = OpenN(tempDir, 4) })
	if testErr != nil {
		t.Fatal(testErr)
	}
	return testConn
}

// TestParamsAreBoundNotSpliced: a value reaches the engine as data whatever it holds.
func TestParamsAreBoundNotSpliced(t *testing.T) {
	c := conn(t)
	for _, v := range []string{"", "'", `\`, `\'`, "'; DROP TABLE x; --", "{x:String}", "{v:String}", "a\x00b", "Cần Thơ",
		"tab\tnew\nline\r", `\N`, "\xff\xfe", strings.Repeat(`\'"`, 100000)} {
		out, err := c.QueryParams("SELECT hex({v:String})", "TabSeparated", []Param{{"v", EscapeParam(v)}})
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if want := fmt.Sprintf("%X\n", v); string(out) != want {
			t.Fatalf("%.40q: got %.40q, want %.40q", v, out, want)
		}
	}
}

// TestParamsAreEscapedText pins the engine's contract (undocumented in chdb.h): a String
// parameter's value is read as TSV-escaped text, so a backslash escapes and a raw tab or
// newline ends the value. EscapeParam exists because of this.
func TestParamsAreEscapedText(t *testing.T) {
	c := conn(t)
	out, err := c.QueryParams("SELECT hex({v:String})", "TabSeparated", []Param{{"v", `a\tb`}})
	if err != nil || string(out) != "610962\n" {
		t.Fatalf(`a\tb: %q %v, want a tab (the engine unescapes)`, out, err)
	}
	if _, err := c.QueryParams("SELECT {v:String}", "TabSeparated", []Param{{"v", "a\nb"}}); err == nil {
		t.Fatal("a raw newline was accepted: the engine no longer reads parameters as escaped text; EscapeParam may double-escape")
	}
}

// TestParamsDoNotCrossUnderConcurrency: on chDB 26.7.3, two concurrent
// chdb_query_with_params_n calls on one engine connection could read each other's values
// (or none: "Substitution `v` is not set"), so Conn gives each call a connection of its own.
func TestParamsDoNotCrossUnderConcurrency(t *testing.T) {
	c := conn(t)
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				v := strconv.Itoa(g*1000 + i)
				out, err := c.QueryParams("SELECT {v:String}", "TabSeparated", []Param{{"v", v}})
				if err == nil && string(out) != v+"\n" {
					err = fmt.Errorf("sent %s, got %q", v, out)
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
}

// FuzzEscapeParam: whatever the string, the escaped text unescapes (as the engine's TSV
// reader does) to exactly the input and holds no raw tab or newline that would end it.
func FuzzEscapeParam(f *testing.F) {
	for _, s := range []string{"", `\`, `\\N`, "a\tb\nc\rd\x00e", "{x:String}", "Cần Thơ", "'\"`"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := EscapeParam(s)
		if strings.ContainsAny(e, "\t\n") {
			t.Fatalf("%q: raw tab or newline in %q", s, e)
		}
		var b strings.Builder
		for i := 0; i < len(e); i++ {
			if e[i] != '\\' {
				b.WriteByte(e[i])
				continue
			}
			i++
			if i == len(e) {
				t.Fatalf("%q: trailing backslash in %q", s, e)
			}
			b.WriteByte(map[byte]byte{'\\': '\\', 't': '\t', 'n': '\n', 'r': '\r', '0': 0}[e[i]])
		}
		if b.String() != s {
			t.Fatalf("%q -> %q -> %q", s, e, b.String())
		}
	})
}
