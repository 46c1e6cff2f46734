package diag

import "strings"

// Nearest returns the candidate closest to name by edit distance (ignoring
// case), or "" when none is close enough to be a plausible typo.
func Nearest(name string, candidates []string) string {
	best, bestDist := "", -1
	ln := strings.ToLower(name)
	for _, c := range candidates {
		d := distance(ln, strings.ToLower(c))
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	if bestDist < 0 {
		return ""
	}
	limit := len([]rune(name))/3 + 1
	if limit > 4 {
		limit = 4
	}
	if bestDist > limit {
		return ""
	}
	return best
}

// distance is the Levenshtein distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
