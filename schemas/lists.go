package schemas

// unboundedList is how many items lwf assumes a list action returns when
// the catalog bounds it neither by a default nor by a maximum limit (the
// actions without a limit parameter: invitations, a person's skills, …).
const unboundedList = 100

// ListSize says how many items a list action returns for one step's
// parameters: the limit given, else the catalog's default limit — what
// Linked API applies when limit is left out. ok is false when neither is
// known: the list then holds what LinkedIn finds, up to MaxListSize.
func (a *Action) ListSize(params map[string]any) (n int, ok bool) {
	if f, ok := num(params["limit"]); ok && f >= 0 {
		return int(f), true
	}
	if p, ok := a.Param("limit"); ok {
		if f, ok := num(p.Schema["default"]); ok {
			return int(f), true
		}
	}
	return 0, false
}

// MaxListSize is the most items a list action can return for one step's
// parameters: ListSize when it is known, else the limit's maximum, else
// 100. Plans count server-side iteration (a doFor* over the list) by it.
func (a *Action) MaxListSize(params map[string]any) int {
	if n, ok := a.ListSize(params); ok {
		return n
	}
	if p, ok := a.Param("limit"); ok {
		if f, ok := num(p.Schema["maximum"]); ok {
			return int(f)
		}
	}
	return unboundedList
}
