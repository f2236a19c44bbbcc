// cdi-check: an independent check of CDI spec files with the Container Device Interface library that
// container runtimes use (Debian's golang-github-container-orchestrated-devices-container-device-interface-dev).
// Loads every spec in <directory> through the library's cache with its built-in JSON schema on, injects the
// given fully-qualified device names into an empty OCI spec, and prints one JSON line: per-spec errors,
// the devices the cache knows, the names it could not resolve, the injection error and the resulting env.
//
// Build offline: GO111MODULE=off GOPATH=/usr/share/gocode go build -o <out> .
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/container-orchestrated-devices/container-device-interface/pkg/cdi"
	"github.com/container-orchestrated-devices/container-device-interface/pkg/cdi/validate"
	oci "github.com/opencontainers/runtime-spec/specs-go"
)

type result struct {
	SpecErrors  map[string][]string `json:"specErrors"`
	Devices     []string            `json:"devices"`
	Unresolved  []string            `json:"unresolved"`
	InjectError string              `json:"injectError"`
	Env         []string            `json:"env"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cdi-check <spec-directory> [vendor/class=device ...]")
		os.Exit(2)
	}
	cdi.SetSpecValidator(validate.WithDefaultSchema())
	cache, err := cdi.NewCache(cdi.WithSpecDirs(os.Args[1]), cdi.WithAutoRefresh(false))
	if err != nil {
		fmt.Fprintln(os.Stderr, "cache:", err)
	}
	out := result{SpecErrors: map[string][]string{}, Devices: cache.ListDevices()}
	for path, errs := range cache.GetErrors() {
		for _, e := range errs {
			out.SpecErrors[path] = append(out.SpecErrors[path], e.Error())
		}
	}
	spec := &oci.Spec{Process: &oci.Process{}}
	if len(os.Args) > 2 {
		unresolved, err := cache.InjectDevices(spec, os.Args[2:]...)
		out.Unresolved = unresolved
		if err != nil {
			out.InjectError = err.Error()
		}
	}
	out.Env = spec.Process.Env
	// Lists as JSON arrays, empty ones included.
	for _, list := range []*[]string{&out.Devices, &out.Unresolved, &out.Env} {
		if *list == nil {
			*list = []string{}
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Exit(1)
	}
}
