package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

type compose struct {
	Services map[string]struct {
		Image       string         `yaml:"image"`
		Build       any            `yaml:"build"`
		Profiles    []string       `yaml:"profiles"`
		Healthcheck map[string]any `yaml:"healthcheck"`
		Volumes     []string       `yaml:"volumes"`
		DependsOn   map[string]any `yaml:"depends_on"`
		Environment map[string]any `yaml:"environment"`
		Command     []string       `yaml:"command"`
	} `yaml:"services"`
}

var pinned = regexp.MustCompile(`^[a-z0-9./_-]+:\d+(\.\d+){1,3}(-[a-z0-9.-]+)?$`)

func load(t *testing.T) compose {
	raw, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("docker-compose.yml does not parse: %v", err)
	}
	return c
}

func TestComposeFile(t *testing.T) {
	c := load(t)
	if len(c.Services) < 4 {
		t.Fatalf("%d services", len(c.Services))
	}
	for name, s := range c.Services {
		if len(s.Healthcheck) == 0 {
			t.Errorf("%s has no healthcheck", name)
		}
		if s.Image == "" && s.Build == nil {
			t.Errorf("%s has neither image nor build", name)
		}
		if s.Image != "" && !pinned.MatchString(s.Image) {
			t.Errorf("%s: image %q is not pinned to an exact version", name, s.Image)
		}
		for dep := range s.DependsOn {
			if _, ok := c.Services[dep]; !ok {
				t.Errorf("%s depends on unknown service %s", name, dep)
			}
		}
		for _, v := range s.Volumes {
			if src, _, ok := strings.Cut(v, ":"); ok && strings.HasPrefix(src, "./") {
				if _, err := os.Stat(filepath.Join("..", src)); err != nil {
					t.Errorf("%s mounts missing file %s", name, src)
				}
			}
		}
		if strings.HasPrefix(name, "cadrestat") && s.Environment["CLICKHOUSE_USER"] != "reader" {
			t.Errorf("%s must serve with the read-only user", name)
		}
		if strings.HasPrefix(name, "ingest") && s.Environment["CLICKHOUSE_USER"] != "writer" {
			t.Errorf("%s must load with the writer user", name)
		}
	}
	shards := 0
	for name, s := range c.Services {
		for _, p := range s.Profiles {
			if p == "cluster" && strings.HasPrefix(name, "ch-shard") {
				shards++
			}
		}
	}
	if _, ok := c.Services["keeper"]; !ok || shards != 2 {
		t.Fatalf("cluster profile: keeper present %v, %d shards; want keeper and 2", ok, shards)
	}
	if c.Services["cadrestat-cluster"].Environment["CLICKHOUSE_CLUSTER"] != "cadrestat_cluster" {
		t.Fatal("the cluster profile must configure cadrestat for the cluster")
	}
}

func TestDockerfileBaseImagesPinned(t *testing.T) {
	raw, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	froms := 0
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "FROM" {
			froms++
			if strings.Contains(f[1], ":latest") || !strings.Contains(f[1], ":") || !regexp.MustCompile(`:\d`).MatchString(f[1]) && !strings.Contains(f[1], "-2025") {
				t.Errorf("base image %q is not pinned", f[1])
			}
		}
	}
	if froms != 3 {
		t.Fatalf("%d stages, want a 3-stage build", froms)
	}
}

// The runtime stage has CA certificates where Go's crypto/x509 reads them on Debian, so TLS
// to a ClickHouse server or an https trace endpoint can be verified.
func TestDockerfileRuntimeHasCACertificates(t *testing.T) {
	raw, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	stages := strings.Split(string(raw), "\nFROM ")
	runtime := stages[len(stages)-1]
	if !strings.Contains(runtime, "/etc/ssl/certs/ca-certificates.crt") {
		t.Fatal("the runtime stage does not install /etc/ssl/certs/ca-certificates.crt")
	}
}
