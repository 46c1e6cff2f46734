package sandbox

import "strings"

// The word lists synthetic data is drawn from. They are constants, split
// once per Sandbox into a vocab, so the package keeps no mutable globals.
const (
	wordsFirst = "Ava|Liam|Olivia|Noah|Emma|Lucas|Sofia|Mateo|Mia|Leo|Amara|Kenji|Priya|Arjun|Chloe|Elias|Hannah|Omar|Lena|Jonas|Yuki|Diego|Zara|Felix|Ines|Tariq|Nora|Samuel|Aisha|Luca|Maya|Ethan|Freya|Rafael|Ingrid|Kwame|Elena|Daniel|Leila|Oscar|Camille|Hugo|Anika|Marco|Grace|Tomas|Nadia|Victor|Julia|Ravi|Clara|Andre|Sana|Malik|Isla|Pavel|Lucia|Theo|Alina|Jamal"
	wordsLast  = "Nguyen|Garcia|Müller|Smith|Okafor|Tanaka|Rossi|Kowalski|Haddad|Silva|Johansson|Patel|Dubois|Kim|Schmidt|Novak|Hernandez|Moreau|Cohen|Andersen|Ivanova|Costa|Fischer|Park|Mensah|Larsen|Romero|Weber|Sato|Ahmed|Brennan|Lindqvist|Castillo|Nakamura|Fernandes|Kaur|Becker|Laurent|Murphy|Popescu|Santos|Walsh|Yilmaz|Varga|Hoffmann|Chen|Bianchi|Eriksen|Mwangi|Duarte"
	wordsTitle = "Chief Technology Officer|CTO|Head of Engineering|VP of Sales|VP Sales|Product Manager|Senior Software Engineer|Data Scientist|Marketing Director|Head of Growth|Engineering Manager|Founder & CEO|Co-founder|Account Executive|Customer Success Manager|Recruiter|Head of People|Design Lead|Solutions Architect|Operations Manager|Business Development Manager|Chief Financial Officer|CFO|Staff Engineer|Machine Learning Engineer|Sales Manager|Partner|Principal Consultant|Research Scientist|Content Strategist|Head of Partnerships|Security Engineer|Chief Operating Officer|Head of Sales|Director of Sales|VP of Marketing|VP of Engineering|Head of Product|Senior Product Manager|Software Engineer|Frontend Developer|Backend Engineer|DevOps Engineer|Data Engineer|Sales Development Representative|Talent Acquisition Manager|Finance Manager|Legal Counsel|Project Manager"
	wordsCoA   = "Northwind|Bluepeak|Lumen|Cobalt|Ironbridge|Silverline|Brightpath|Quanta|Evergreen|Helix|Nimbus|Redwood|Atlas|Vertex|Orbit|Pioneer|Summit|Harbor|Crescent|Falcon|Granite|Meridian|Nova|Polaris|Sterling|Tidewater|Vanguard|Willow|Zephyr|Aurora"
	// wordsCoB pairs the second word of a company name with the industries
	// such a company is in: "Word=Industry;Industry".
	wordsCoB = "Analytics=Data Infrastructure and Analytics;Software Development|Robotics=Robotics Engineering;Industrial Machinery Manufacturing|Labs=Research Services;Software Development|Software=Software Development|Health=Hospitals and Health Care;Wellness and Fitness Services|Logistics=Transportation, Logistics, Supply Chain and Storage|Capital=Venture Capital and Private Equity Principals;Financial Services|Systems=IT Services and IT Consulting;Computer Hardware Manufacturing|AI=Technology, Information and Internet;Software Development|Energy=Renewable Energy Power Generation;Utilities|Dynamics=Industrial Machinery Manufacturing;Aviation and Aerospace Component Manufacturing|Networks=Telecommunications|Foods=Food and Beverage Services|Bio=Biotechnology Research;Pharmaceutical Manufacturing|Cloud=IT Services and IT Consulting;Software Development|Security=Computer and Network Security|Media=Media Production;Online Audio and Video Media|Partners=Business Consulting and Services;Financial Services|Mobility=Motor Vehicle Manufacturing;Transportation, Logistics, Supply Chain and Storage|Studios=Design Services;Media Production|Learning=E-Learning Providers;Higher Education|Insurance=Insurance|Realty=Real Estate|Commerce=Retail;Internet Marketplace Platforms|Talent=Human Resources Services;Staffing and Recruiting|Payments=Financial Services|Marketing=Marketing Services;Advertising Services|Legal=Legal Services"
	// wordsCity pairs a location, as LinkedIn writes it, with its country
	// code: "City, Region, Country=CC".
	wordsCity    = "San Francisco, California, United States=US|San Francisco Bay Area=US|New York, New York, United States=US|Austin, Texas, United States=US|Seattle, Washington, United States=US|Boston, Massachusetts, United States=US|Chicago, Illinois, United States=US|Los Angeles, California, United States=US|Palo Alto, California, United States=US|London, England, United Kingdom=GB|Manchester, England, United Kingdom=GB|Edinburgh, Scotland, United Kingdom=GB|Berlin, Berlin, Germany=DE|Munich, Bavaria, Germany=DE|Hamburg, Hamburg, Germany=DE|Paris, Île-de-France, France=FR|Lyon, Auvergne-Rhône-Alpes, France=FR|Amsterdam, North Holland, Netherlands=NL|Stockholm, Stockholm County, Sweden=SE|Copenhagen, Capital Region of Denmark, Denmark=DK|Madrid, Community of Madrid, Spain=ES|Barcelona, Catalonia, Spain=ES|Lisbon, Lisbon, Portugal=PT|Milan, Lombardy, Italy=IT|Warsaw, Mazowieckie, Poland=PL|Zurich, Zurich, Switzerland=CH|Dublin, County Dublin, Ireland=IE|Toronto, Ontario, Canada=CA|Vancouver, British Columbia, Canada=CA|São Paulo, São Paulo, Brazil=BR|Mexico City, Mexico City, Mexico=MX|Bengaluru, Karnataka, India=IN|Singapore, Singapore=SG|Tokyo, Tokyo, Japan=JP|Sydney, New South Wales, Australia=AU|Tel Aviv, Tel Aviv District, Israel=IL|Dubai, Dubai, United Arab Emirates=AE|Nairobi, Nairobi County, Kenya=KE|Lagos, Lagos State, Nigeria=NG|Cape Town, Western Cape, South Africa=ZA|Helsinki, Uusimaa, Finland=FI"
	wordsSchool  = "Stanford University|Massachusetts Institute of Technology|University of Cambridge|ETH Zürich|Technical University of Munich|University of Toronto|National University of Singapore|Sorbonne University|University of California, Berkeley|Imperial College London|KTH Royal Institute of Technology|University of Amsterdam|Indian Institute of Technology Bombay|University of Tokyo|Carnegie Mellon University|University of São Paulo|Tel Aviv University|University of Warsaw|Politecnico di Milano|University of Melbourne"
	wordsDegree  = "Bachelor of Science - BS, Computer Science|Master of Science - MS, Computer Science|Master of Business Administration - MBA|Bachelor of Arts - BA, Economics|Master of Engineering - MEng, Electrical Engineering|Doctor of Philosophy - PhD, Machine Learning|Bachelor of Science - BS, Mathematics|Master of Science - MS, Data Science|Bachelor of Arts - BA, Communication|Master of Science - MS, Finance"
	wordsSkill   = "Python|Go|JavaScript|TypeScript|Kubernetes|Product Management|Leadership|SQL|Machine Learning|Data Analysis|Public Speaking|Negotiation|Cloud Computing|Amazon Web Services (AWS)|Strategic Planning|Sales|Marketing Strategy|UX Design|Project Management|Team Building|Distributed Systems|Recruiting|Financial Modeling|Customer Relationship Management (CRM)|Agile Methodologies|Business Strategy|Deep Learning|React.js|Docker|Communication"
	wordsLang    = "English|Spanish|German|French|Portuguese|Italian|Mandarin|Japanese|Hindi|Arabic|Polish|Dutch|Swedish|Korean"
	wordsTopic   = "hiring|product launch|AI agents|remote work|our Series A|customer stories|engineering culture|pricing lessons|conference talk|open source release|quarterly results|team offsite|sales playbooks|data privacy|developer experience"
	wordsPost    = "Excited to share that we just shipped %s — huge thanks to the whole team.|Three things I learned this quarter about %s. A thread.|We are hiring! If %s is your thing, my DMs are open.|Honest question for my network: how do you think about %s in 2026?|Grateful to have spoken about %s this week. Slides in the comments.|Our take on %s, after a year of getting it wrong first.|Big milestone for us today: %s. Onwards.|A short story about %s and why it changed how we work."
	wordsComment = "Congratulations, well deserved!|Great insights, thanks for sharing.|This resonates a lot with our experience.|Couldn't agree more.|Interesting take — how did you measure it?|Love this, sharing with my team.|Thanks for the write-up, very practical.|Fantastic news, congrats to the team!"
	wordsReply   = "Thanks for reaching out! Happy to connect.|Sounds interesting — can you share more details?|Thanks, not right now, but let's keep in touch.|Sure, how about a quick call next week?|Appreciate the message. Let me get back to you.|Great to hear from you!"
	wordsOpener  = "Hi! Great to connect here.|Thanks for accepting my invitation.|Hello, I came across your profile and wanted to say hi.|Good to meet you at the conference last week."
	wordsFeedCtx = "%s reacted to this|%s commented on this|%s reposted this|%s likes this|Promoted|Suggested"
	wordsViewer  = "Someone at %s|Someone in the %s industry|Someone with the title %s|Someone from %s"
)

// vocab holds the word lists, split.
type vocab struct {
	first, last, title, coA, school, degree, skill, lang,
	topic, post, comment, reply, opener, feedCtx, viewer []string
	coB        []string   // second words of company names
	coIndustry [][]string // the industries of a company by its second word
	industry   []string   // every industry of coIndustry, once
	city, cc   []string   // locations and their country codes
	senior     []string   // the titles of decision makers, for DM lists
	coSlug     []string   // every company name of the lists, as a URL slug
	sizes      []string   // LinkedIn's company size buckets
	posted     []string   // how long ago jobs were posted
}

func newVocab() *vocab {
	sp := func(s string) []string { return strings.Split(s, "|") }
	v := &vocab{
		first: sp(wordsFirst), last: sp(wordsLast), title: sp(wordsTitle), coA: sp(wordsCoA),
		school: sp(wordsSchool), degree: sp(wordsDegree),
		skill: sp(wordsSkill), lang: sp(wordsLang), topic: sp(wordsTopic), post: sp(wordsPost),
		comment: sp(wordsComment), reply: sp(wordsReply), opener: sp(wordsOpener), feedCtx: sp(wordsFeedCtx),
		viewer: sp(wordsViewer),
	}
	v.sizes = sp("1-10|11-50|51-200|201-500|501-1000|1001-5000|5001-10000|10001+")
	v.posted = sp("3h|18h|1d|3d|5d|1w|2w|3w|1mo|2mo")
	seen := map[string]bool{}
	for _, e := range sp(wordsCoB) {
		word, inds, _ := strings.Cut(e, "=")
		v.coB = append(v.coB, word)
		v.coIndustry = append(v.coIndustry, strings.Split(inds, ";"))
		for _, ind := range strings.Split(inds, ";") {
			if !seen[ind] {
				seen[ind] = true
				v.industry = append(v.industry, ind)
			}
		}
	}
	for _, e := range sp(wordsCity) {
		loc, cc, _ := strings.Cut(e, "=")
		v.city, v.cc = append(v.city, loc), append(v.cc, cc)
	}
	for _, a := range v.coA {
		for _, b := range v.coB {
			v.coSlug = append(v.coSlug, slugify(a+" "+b))
		}
	}
	for _, t := range v.title {
		for _, w := range []string{"Chief", "Head", "VP", "Founder", "Director", "Partner", "CTO", "CFO"} {
			if strings.Contains(t, w) {
				v.senior = append(v.senior, t)
				break
			}
		}
	}
	return v
}
