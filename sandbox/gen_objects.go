package sandbox

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Page actions without basicInfo: true return only the identity of what
// they opened (and then), since the real shape is not documented.

func (g *generator) personProfile(p person, basic bool) map[string]any {
	if !basic {
		return map[string]any{"publicUrl": p.publicURL, "hashedUrl": p.hashedURL}
	}
	return map[string]any{
		"name": p.name(), "publicUrl": p.publicURL, "hashedUrl": p.hashedURL,
		"headline": p.headline(), "location": p.location, "countryCode": p.cc,
		"position": p.title, "about": p.about, "companyName": p.company.name,
		"companyHashedUrl": p.company.hashedURL, "followersCount": p.followers,
		"avatarUrl": avatar(p.key),
	}
}

func (g *generator) nvPersonProfile(p person, basic bool) map[string]any {
	if !basic {
		return map[string]any{"publicUrl": p.publicURL, "hashedUrl": p.hashedURL}
	}
	return map[string]any{
		"name": p.name(), "publicUrl": p.publicURL, "hashedUrl": p.hashedURL,
		"headline": p.headline(), "location": p.location, "countryCode": p.cc,
		"position": p.title, "companyName": p.company.name, "companyHashedUrl": p.company.nvURL,
	}
}

func (g *generator) companyProfile(c company, basic bool) map[string]any {
	if !basic {
		return map[string]any{"publicUrl": c.publicURL}
	}
	return map[string]any{
		"name": c.name, "publicUrl": c.publicURL, "description": c.description, "location": c.location,
		"headquarters": c.cc, "industry": c.industry, "specialties": c.specialties, "website": c.website,
		"employeesCount": c.employees, "yearFounded": c.yearFounded, "ventureFinancing": c.venture,
		"jobsCount": c.jobs, "logoUrl": logo(c.key),
	}
}

func (g *generator) nvCompanyProfile(c company, basic bool) map[string]any {
	if !basic {
		return map[string]any{"publicUrl": c.publicURL, "hashedUrl": c.nvURL}
	}
	return map[string]any{
		"name": c.name, "publicUrl": c.publicURL, "hashedUrl": c.nvURL, "description": c.description,
		"location": c.location, "headquarters": c.cc, "industry": c.industry, "website": c.website,
		"employeesCount": c.employees, "yearFounded": c.yearFounded, "logoUrl": logo(c.key),
	}
}

func avatar(key string) string {
	return "https://media.licdn.example/avatar/" + hex(seeded("avatar", key), 12) + ".jpg"
}

func logo(key string) string {
	return "https://media.licdn.example/logo/" + hex(seeded("logo", key), 12) + ".png"
}

// postData renders a post in the documented Post shape.
func (g *generator) postData(p post, basic bool) map[string]any {
	if !basic {
		return map[string]any{"url": p.url}
	}
	r := seeded("post-extra", strconv.FormatUint(p.id, 10))
	images := []any{}
	for i := 0; i < p.images; i++ {
		images = append(images, fmt.Sprintf("https://media.licdn.example/image/%d-%d.jpg", p.id, i+1))
	}
	typ := "original"
	var reposter, repostText any
	if p.repost {
		typ = "repost"
		rp := g.person(g.randomPerson(r, kindOther))
		reposter = personActor(rp)
		repostText = "Worth a read."
	}
	var thumb any
	if p.video {
		thumb = fmt.Sprintf("https://media.licdn.example/video/%d.jpg", p.id)
	}
	var imgs any = images
	if p.images == 0 {
		imgs = nil
	}
	return map[string]any{
		"url": p.url, "time": iso(p.at), "type": typ,
		"activityUrn": fmt.Sprintf("urn:li:activity:%d", p.id),
		"author":      personActor(p.author), "reposter": reposter, "repostText": repostText,
		"hashtags": []any{"#" + strings.ReplaceAll(p.topic, " ", "")}, "mentions": []any{},
		"externalLinks": []any{}, "text": p.text, "images": imgs, "documentSlides": []any{},
		"hasVideo": p.video, "videoThumbnail": thumb, "hasPoll": p.poll,
		"reactionsCount": p.reacts, "commentsCount": p.comms, "repostsCount": p.reposts,
	}
}

func personActor(p person) map[string]any {
	return map[string]any{"type": "person", "name": p.name(), "profileUrl": p.publicURL, "headline": p.headline()}
}

func (g *generator) jobDetail(j job, basic bool) map[string]any {
	if !basic {
		return map[string]any{"jobId": j.id, "jobUrl": j.url}
	}
	var salary any
	if j.salary != nil {
		salary = j.salary
	}
	return map[string]any{
		"jobId": j.id, "jobUrl": j.url, "title": j.title, "companyName": j.company.name,
		"companyUrl": j.company.publicURL, "location": j.location, "postedDate": j.posted,
		"applicantsCount": j.applicants, "workplaceType": j.workplace, "employmentType": j.employment,
		"salary": salary, "description": j.description, "applyUrl": j.url + "/apply", "easyApply": j.easyApply,
	}
}

func (g *generator) ssi(acct string) map[string]any {
	r := seeded("ssi", acct)
	ssi := math.Round((35+r.Float64()*50)*10) / 10
	return map[string]any{"ssi": ssi, "industryTop": between(r, 1, 40), "networkTop": between(r, 1, 40)}
}

func (g *generator) performance(acct string) map[string]any {
	r := seeded("performance", acct)
	return map[string]any{
		"followersCount": between(r, 200, 12000), "postViewsLast7Days": between(r, 0, 5000),
		"profileViewsLast90Days": between(r, 10, 900), "searchAppearancesPreviousWeek": between(r, 5, 400),
	}
}

// commentRef is the {commentUrn, commentUrl} of a comment or reply the
// account wrote.
func (g *generator) commentRef(subj subject, params map[string]any, at time.Time) map[string]any {
	base := str(params, "commentUrl")
	postURL := base
	activity := ""
	if subj.post != nil {
		postURL = subj.post.url
		activity = fmt.Sprintf("urn:li:activity:%d", subj.post.id)
	}
	if activity == "" {
		activity = "urn:li:activity:" + digitString(seeded("activity", base), 19)
	}
	id := digitString(seeded("comment", postURL, str(params, "text"), iso(at)), 19)
	urn := fmt.Sprintf("urn:li:comment:(%s,%s)", activity, id)
	if i := strings.IndexByte(postURL, '?'); i >= 0 {
		postURL = postURL[:i]
	}
	return map[string]any{"commentUrn": urn, "commentUrl": postURL + "?commentUrn=" + urlEscape(urn)}
}

func (g *generator) postRef(acct string, params map[string]any, at time.Time) map[string]any {
	id := postID(at, seeded("created-post", acct, str(params, "text")))
	return map[string]any{"postUrl": fmt.Sprintf("https://www.linkedin.com/feed/update/urn:li:activity:%d", id)}
}

func urlEscape(s string) string {
	r := strings.NewReplacer(":", "%3A", "(", "%28", ")", "%29", ",", "%2C")
	return r.Replace(s)
}
