package schemas

import "github.com/lwf-dev/lwf/diag"

func nearestName(name string, candidates []string) string { return diag.Nearest(name, candidates) }
