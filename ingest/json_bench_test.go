package ingest

import (
	"bytes"
	"fmt"
	"testing"
)

// jsonObservations is a JSON file of n observation records, one per line.
func jsonObservations(n int) []byte {
	var b bytes.Buffer
	b.WriteString("{\"observations\": [\n")
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"subject": "VN63-01", "metric": "m", "period": "%d", "value": %d, "source": "s", "status": "SYNTHETIC"}`, 2000+i%30, i)
	}
	b.WriteString("\n]}\n")
	return b.Bytes()
}

func BenchmarkParseJSON(b *testing.B) {
	for _, n := range []int{5_000, 40_000} {
		data := jsonObservations(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if _, probs := parseJSON("b.json", data); len(probs) > 0 {
					b.Fatal(probs[0])
				}
			}
		})
	}
}

// Lines of JSON records stay right when counted incrementally, including after a
// syntax error reported at an earlier offset.
func TestParseJSONLines(t *testing.T) {
	data := []byte("{\"observations\": [\n{\"subject\": \"VN63-01\", \"x\": 1},\n\n{\"subject\": \"VN63-01\", \"y\": 2}\n]}\n")
	_, probs := parseJSON("l.json", data)
	if len(probs) != 2 || probs[0].Line != 2 || probs[1].Line != 4 {
		t.Fatalf("problems %+v, want unknown fields on lines 2 and 4", probs)
	}
}
