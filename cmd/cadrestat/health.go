package main

import (
	"fmt"
	"net/http"
	"time"
)

// healthCmd checks a URL answers 200 (container healthchecks: the image has no curl).
func healthCmd(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: cadrestat health URL")
	}
	resp, err := (&http.Client{Timeout: 3 * time.Second}).Get(args[0])
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", args[0], resp.Status)
	}
	return nil
}
