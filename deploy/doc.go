// Package deploy holds the ClickHouse configuration used by docker-compose.yml and the
// tests that keep the compose file and Dockerfile honest (parse, healthchecks, pinned tags).
package deploy
