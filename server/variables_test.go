package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/server"
)

// TestBadNumbersAndAPQHashSayWhatIsWrong: a number variable that is not a valid Int or
// Float names the variable and what it accepts (gqlparser said "cannot use value 0 as Int"
// for 1e400, as GRAPHQL_VALIDATION_FAILED); an APQ hash that does not match its query says
// so (it was "malformed request").
func TestBadNumbersAndAPQHashSayWhatIsWrong(t *testing.T) {
	svc := bundledService(t, testenv.Store(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	ts := httptest.NewServer(wired(svc, server.Defaults(), slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer ts.Close()
	const intQuery = `query($n:Int){ observations(first:$n){ totalCount } }`
	for _, c := range []struct{ body, code, msg string }{
		{`{"query":"` + intQuery + `","variables":{"n":1e400}}`, "BAD_USER_INPUT", "variable $n is not a valid Int: a whole number from -2147483648 to 2147483647 is expected"},
		{`{"query":"` + intQuery + `","variables":{"n":1.5}}`, "BAD_USER_INPUT", "variable $n is not a valid Int: a whole number from -2147483648 to 2147483647 is expected"},
		{`{"query":"` + intQuery + `","variables":{"n":99999999999999999999}}`, "BAD_USER_INPUT", "variable $n is not a valid Int: a whole number from -2147483648 to 2147483647 is expected"},
		{`{"query":"{ metrics { id } }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + strings.Repeat("0", 64) + `"}}}`, "BAD_REQUEST", "the persisted query's sha256Hash is not the SHA-256 of the query sent with it"},
	} {
		resp, err := http.Post(ts.URL+"/graphql", "application/json", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Errors []struct {
				Message    string
				Extensions struct{ Code string }
			}
		}
		json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if len(got.Errors) != 1 || got.Errors[0].Message != c.msg || got.Errors[0].Extensions.Code != c.code {
			t.Errorf("%s:\n got %+v\nwant %s %q", c.body, got.Errors, c.code, c.msg)
		}
	}
}
