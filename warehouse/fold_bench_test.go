package warehouse

import "testing"

func BenchmarkFold(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Fold("Thành phố Hồ Chí Minh")
	}
}
