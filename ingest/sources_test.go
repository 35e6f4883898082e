package ingest

import (
	"testing"
	"time"
)

const srcHeaderURL = "id,title,issuer,doc_number,date,language,location,kind,licence,url,retrieved\n"

// at sets the clock retrieval dates are checked against, for one test.
func at(t *testing.T, day string) {
	t.Helper()
	d, err := time.Parse("2006-01-02 15:04", day)
	if err != nil {
		t.Fatal(err)
	}
	Now = func() time.Time { return d }
	t.Cleanup(func() { Now = time.Now })
}

// TestSourcesAReaderCanOpen: a source's URL and retrieval date are checked, with
// file:line:field problems.
func TestSourcesAReaderCanOpen(t *testing.T) {
	at(t, "2026-11-22 12:00")
	cases := []struct{ name, row, want string }{
		{"ErrScheme", "p,T,I,,2020,vi,x,press,,ftp://x.vn/a,2026-11-01", `f.csv:2: url: "ftp://x.vn/a" must be an http:// or https:// address`},
		{"ErrNoScheme", "p,T,I,,2020,vi,x,press,,x.vn/a,2026-11-01", `f.csv:2: url: "x.vn/a" must be an http:// or https:// address`},
		{"ErrJavascript", "p,T,I,,2020,vi,x,press,,javascript:alert(1),2026-11-01", `f.csv:2: url: "javascript:alert(1)" must be an http:// or https:// address`},
		{"ErrNoHost", "p,T,I,,2020,vi,x,press,,https:///a,2026-11-01", `f.csv:2: url: "https:///a" has no host`},
		{"ErrSpace", "p,T,I,,2020,vi,x,press,,\"https://x.vn/a b\",2026-11-01", `f.csv:2: url: "https://x.vn/a b" must not contain spaces or control characters (percent-encode them: %20)`},
		{"ErrControl", "p,T,I,,2020,vi,x,press,,\"https://x.vn/a\tb\",2026-11-01", `f.csv:2: url: "https://x.vn/a\tb" must not contain spaces or control characters (percent-encode them: %20)`},
		{"ErrUnparsable", "p,T,I,,2020,vi,x,press,,https://x.vn/%zz,2026-11-01", `f.csv:2: url: "https://x.vn/%zz" is not a valid URL`},
		{"ErrUserInfo", "p,T,I,,2020,vi,x,press,,https://u:pw@x.vn/a,2026-11-01", `f.csv:2: url: "https://u:pw@x.vn/a" must not carry a user name or password`},
		{"ErrRetrievedNotADate", "p,T,I,,2020,vi,x,press,,https://x.vn/a,2026-02-30", `f.csv:2: retrieved: must be the date the page was read, a real date written YYYY-MM-DD, not "2026-02-30"`},
		{"ErrRetrievedMonth", "p,T,I,,2020,vi,x,press,,https://x.vn/a,2026-11", `f.csv:2: retrieved: must be the date the page was read, a real date written YYYY-MM-DD, not "2026-11"`},
		{"ErrRetrievedBeforeDate", "p,T,I,,2020-10-30,vi,x,press,,https://x.vn/a,2020-10-29", `f.csv:2: retrieved: 2020-10-29 is before the publication date 2020-10-30`},
		{"ErrRetrievedBeforeMonth", "p,T,I,,2020-10,vi,x,press,,https://x.vn/a,2020-09-30", `f.csv:2: retrieved: 2020-09-30 is before the publication date 2020-10`},
		{"ErrRetrievedBeforeYear", "p,T,I,,2021,vi,x,press,,https://x.vn/a,2020-12-31", `f.csv:2: retrieved: 2020-12-31 is before the publication date 2021`},
		{"ErrRetrievedFuture", "p,T,I,,2020,vi,x,press,,https://x.vn/a,2026-11-24", `f.csv:2: retrieved: 2026-11-24 is in the future (today is 2026-11-23)`},
		{"ErrUserBadURL", "u,T,I,,,vi,x,user,,mailto:a@b.vn,", `f.csv:2: url: "mailto:a@b.vn" must be an http:// or https:// address`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, probs := Prepare([]File{{Name: "f.csv", Data: []byte(srcHeaderURL + tc.row + "\n")}}, catalog())
			if b != nil || len(probs) != 1 || probs[0].String() != tc.want {
				t.Fatalf("got batch=%v problems=%q; want only %q", b != nil, probs, tc.want)
			}
		})
	}
	t.Run("OldHeaderStillLoadsSeedsAndUserSources", func(t *testing.T) {
		b, probs := Prepare([]File{{Name: "f.csv", Data: []byte("id,title,issuer,doc_number,date,language,location,kind,licence\ns,T,I,,,vi,000_x.txt,seed,\nu,T,I,,,vi,x,user,\n")}}, catalog())
		if len(probs) > 0 || len(b.Sources) != 2 || b.Sources[0].URL != "" {
			t.Fatalf("problems %q", probs)
		}
	})
	t.Run("OK", func(t *testing.T) {
		// Retrieved today in the furthest time zone (UTC+14) is not in the future.
		data := srcHeaderURL +
			"p1,T,I,,2020-10-30,vi,x,press,,https://hoilhpn.org.vn/tin-chi-tiet/-/chi-tiet/ty-le-nu-%C4%91at-16--32451-5201.html,2026-11-23\n" +
			"p2,T,I,,2020-10,vi,x,official,,http://x.vn/a?b=1&c=đ#f,2020-10-01\n" +
			"p3,T,I,,2020,vi,x,press,,HTTPS://X.VN/A,2020-01-01\n" +
			"u1,T,I,,,vi,x,user,,,\n" +
			"u2,T,I,,,vi,x,user,,https://x.vn/u,2026-01-01\n"
		b, probs := Prepare([]File{{Name: "f.csv", Data: []byte(data)}}, catalog())
		if len(probs) > 0 {
			t.Fatalf("problems %q", probs)
		}
		if s := b.Sources[0]; s.URL != "https://hoilhpn.org.vn/tin-chi-tiet/-/chi-tiet/ty-le-nu-%C4%91at-16--32451-5201.html" || s.Retrieved != "2026-11-23" {
			t.Fatalf("source %+v", s)
		}
	})
	t.Run("JSON", func(t *testing.T) {
		doc := `{"sources": [{"id": "p", "title": "T", "issuer": "I", "date": "2020", "language": "vi", "location": "x", "kind": "press", "url": "https://x.vn/a", "retrieved": "2026-11-01"}]}`
		b, probs := Prepare([]File{{Name: "s.json", Data: []byte(doc)}}, catalog())
		if len(probs) > 0 || b.Sources[0].URL != "https://x.vn/a" || b.Sources[0].Retrieved != "2026-11-01" {
			t.Fatalf("problems %q", probs)
		}
	})
}
