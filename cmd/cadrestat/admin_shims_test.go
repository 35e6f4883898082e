package main

import (
	"context"

	"github.com/cadrestat/cadrestat/admin"
	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/progress"
)

// The binary's tests drive the admin protocol as the binary does, through package admin.

type adminInfo = admin.Info

func adminInfoPath(dataDir string) string { return admin.InfoPath(dataDir) }

func readAdminInfo(ef engineFlags) (admin.Info, bool) { return admin.ReadInfo(ef.dataDir) }

// handOffTo hands the files to the admin listener described by info, by path where it can.
func handOffTo(ctx context.Context, info admin.Info, files []ingest.File, onProgress func(progress.State)) (*ingest.Report, error) {
	return handOffWith(ctx, info, files, false, onProgress)
}

// handOffWith is handOffTo, uploading the contents when upload is set.
func handOffWith(ctx context.Context, info admin.Info, files []ingest.File, upload bool, onProgress func(progress.State)) (*ingest.Report, error) {
	return (&admin.Client{Info: info, Idle: handOffIdle}).HandOff(ctx, files, upload, onProgress)
}
