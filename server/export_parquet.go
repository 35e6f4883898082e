package server

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"

	"github.com/parquet-go/parquet-go"

	"github.com/cadrestat/cadrestat/service"
)

// writeParquet writes a sheet as one Parquet file: a column per sheet column, in order,
// optional and typed (text UTF-8 strings, integers INT64, figures DOUBLE), so pandas,
// polars and DuckDB read numbers as numbers and an empty cell as null. The data version,
// the query, how to read the columns and the cited documents (JSON) are also in the file's
// key-value metadata.
func writeParquet(w http.ResponseWriter, s *sheet, _ *service.Service) {
	typ := parquetRowType(s.cols)
	sources := make([]map[string]string, 0, len(s.sources))
	for _, r := range sourceRows(s) {
		m := map[string]string{}
		for i, h := range sourceHeader {
			if v, ok := r[i].(string); ok {
				m[h.(string)] = v
			}
		}
		sources = append(sources, m)
	}
	srcJSON, _ := json.Marshal(sources)
	opts := []parquet.WriterOption{parquet.SchemaOf(reflect.New(typ).Interface()),
		parquet.KeyValueMetadata("cadrestat.data_version", versionString(s.version)),
		parquet.KeyValueMetadata("cadrestat.query", s.query),
		parquet.KeyValueMetadata("cadrestat.sources", string(srcJSON))}
	for _, kv := range readmeLines(s)[2:] {
		opts = append(opts, parquet.KeyValueMetadata("cadrestat.readme."+kv[0], kv[1]))
	}
	w.Header().Set("Content-Type", "application/vnd.apache.parquet")
	pw := parquet.NewWriter(w, opts...)
	row := reflect.New(typ)
	for _, cells := range s.rows {
		row.Elem().SetZero()
		for i, cell := range cells {
			if cell == nil {
				continue
			}
			f := row.Elem().Field(i)
			v := reflect.New(f.Type().Elem())
			switch c := cell.(type) {
			case string:
				v.Elem().SetString(c)
			case int:
				v.Elem().SetInt(int64(c))
			case float64:
				v.Elem().SetFloat(c)
			}
			f.Set(v)
		}
		if err := pw.Write(row.Interface()); err != nil {
			return // the client sees a truncated file, which no Parquet reader accepts
		}
	}
	_ = pw.Close() // a file that cannot be finished is cut short, which no Parquet reader accepts
}

// parquetRowType is a struct with one optional field per column, tagged with its name, so
// the schema keeps the columns in the sheet's order.
func parquetRowType(cols []column) reflect.Type {
	fields := make([]reflect.StructField, len(cols))
	for i, c := range cols {
		var t reflect.Type
		switch c.kind {
		case colInt:
			t = reflect.TypeFor[*int64]()
		case colNumber:
			t = reflect.TypeFor[*float64]()
		default:
			t = reflect.TypeFor[*string]()
		}
		fields[i] = reflect.StructField{Name: "F" + strconv.Itoa(i), Type: t, Tag: reflect.StructTag(`parquet:"` + c.name + `,optional"`)}
	}
	return reflect.StructOf(fields)
}
