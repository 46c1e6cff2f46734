package sandbox

import (
	"encoding/json"
	"time"

	"github.com/lwf-dev/lwf/schemas"
)

// produce makes the data of a successful action from its catalog result
// entity, and the subject its children act on.
func (x *execution) produce(a *schemas.Action, params map[string]any, subj subject, at time.Time) (any, subject) {
	g := x.s.gen
	basic := params["basicInfo"] == true
	switch a.Result.Kind {
	case schemas.ResultObject:
		var d map[string]any
		switch a.Result.Entity {
		case "personProfile":
			d = g.personProfile(*x.need(&subj).person, basic)
		case "nvPersonProfile":
			d = g.nvPersonProfile(*x.need(&subj).person, basic)
		case "companyProfile":
			d = g.companyProfile(*x.needCompany(&subj).company, basic)
		case "nvCompanyProfile":
			d = g.nvCompanyProfile(*x.needCompany(&subj).company, basic)
		case "post":
			d = g.postData(*x.needPost(&subj).post, basic)
		case "jobDetail":
			d = g.jobDetail(*x.needJob(&subj).job, basic)
		case "connectionStatus":
			d = map[string]any{"connectionStatus": x.status(*x.need(&subj).person, at)}
		case "ssi":
			d = g.ssi(x.acct.token)
		case "performance":
			d = g.performance(x.acct.token)
		case "commentRef":
			d = g.commentRef(subj, params, at)
		case "postRef":
			d = g.postRef(x.acct.token, params, at)
		default:
			d = map[string]any{}
		}
		return d, subj
	case schemas.ResultList:
		return x.list(a, params, subj, at), subj
	}
	return nil, subj
}

// need makes sure the subject has a person, deriving one from the
// subject's URL when the parent supplied none.
func (x *execution) need(s *subject) *subject {
	if s.person == nil {
		p := x.s.gen.person(s.url)
		s.person = &p
	}
	return s
}

func (x *execution) needCompany(s *subject) *subject {
	if s.company == nil {
		key := s.url
		if s.person != nil {
			key = s.person.company.key
		}
		c := x.s.gen.company(key)
		s.company = &c
	}
	return s
}

func (x *execution) needPost(s *subject) *subject {
	if s.post == nil {
		p := x.s.gen.postFromURL(s.url, x.anchor)
		s.post = &p
	}
	return s
}

func (x *execution) needJob(s *subject) *subject {
	if s.job == nil {
		j := x.s.gen.jobFromURL(s.url)
		s.job = &j
	}
	return s
}

// listSize is the number of items a list action returns: its limit, else
// the catalog default, else natural, capped at Options.MaxListItems.
func (x *execution) listSize(a *schemas.Action, params map[string]any, natural int) int {
	n := natural
	if l, ok := intParam(params, "limit"); ok {
		n = l
	} else if d, ok := limitDefault(a); ok {
		n = d
	}
	return max(0, min(n, x.s.opts.MaxListItems))
}

// limitDefault reads the default of the action's limit parameter.
func limitDefault(a *schemas.Action) (int, bool) {
	props, _ := a.Schema()["properties"].(map[string]any)
	lim, _ := props["limit"].(map[string]any)
	f, ok := numParam(lim["default"])
	return int(f), ok
}

func numParam(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// sinceParam reads an ISO date or date-time `since`, zero when absent.
func sinceParam(params map[string]any) time.Time {
	t, _ := parseTime(str(params, "since"))
	return t
}
