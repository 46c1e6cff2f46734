package sandbox

import "strings"

// The word lists synthetic data is drawn from. They are constants, split
// once per Sandbox into a vocab, so the package keeps no mutable globals.
const (
	wordsFirst = "Ava|Liam|Olivia|Noah|Emma|Lucas|Sofia|Mateo|Mia|Leo|Amara|Kenji|Priya|Arjun|Chloe|Elias|Hannah|Omar|Lena|Jonas|Yuki|Diego|Zara|Felix|Ines|Tariq|Nora|Samuel|Aisha|Luca|Maya|Ethan|Freya|Rafael|Ingrid|Kwame|Elena|Daniel|Leila|Oscar|Camille|Hugo|Anika|Marco|Grace|Tomas|Nadia|Victor|Julia|Ravi|Clara|Andre|Sana|Malik|Isla|Pavel|Lucia|Theo|Alina|Jamal"
	wordsLast  = "Nguyen|Garcia|Müller|Smith|Okafor|Tanaka|Rossi|Kowalski|Haddad|Silva|Johansson|Patel|Dubois|Kim|Schmidt|Novak|Hernandez|Moreau|Cohen|Andersen|Ivanova|Costa|Fischer|Park|Mensah|Larsen|Romero|Weber|Sato|Ahmed|Brennan|Lindqvist|Castillo|Nakamura|Fernandes|Kaur|Becker|Laurent|Murphy|Popescu|Santos|Walsh|Yilmaz|Varga|Hoffmann|Chen|Bianchi|Eriksen|Mwangi|Duarte"
	wordsTitle = "Chief Technology Officer|Head of Engineering|VP of Sales|Product Manager|Senior Software Engineer|Data Scientist|Marketing Director|Head of Growth|Engineering Manager|Founder & CEO|Co-founder|Account Executive|Customer Success Manager|Recruiter|Head of People|Design Lead|Solutions Architect|Operations Manager|Business Development Manager|Chief Financial Officer|Staff Engineer|Machine Learning Engineer|Sales Manager|Partner|Principal Consultant|Research Scientist|Content Strategist|Head of Partnerships|Security Engineer|Chief Operating Officer"
	wordsCoA   = "Northwind|Bluepeak|Lumen|Cobalt|Ironbridge|Silverline|Brightpath|Quanta|Evergreen|Helix|Nimbus|Redwood|Atlas|Vertex|Orbit|Pioneer|Summit|Harbor|Crescent|Falcon|Granite|Meridian|Nova|Polaris|Sterling|Tidewater|Vanguard|Willow|Zephyr|Aurora"
	wordsCoB   = "Analytics|Robotics|Labs|Software|Health|Logistics|Capital|Systems|AI|Energy|Dynamics|Networks|Foods|Bio|Cloud|Security|Media|Partners|Mobility|Studios"
	wordsInd   = "Software Development|IT Services and IT Consulting|Financial Services|Hospital & Health Care|Marketing Services|Computer Hardware|Biotechnology Research|Retail|Logistics|Renewable Energy|Higher Education|Venture Capital|Telecommunications|Automotive|E-Learning|Human Resources|Insurance|Real Estate|Manufacturing|Media Production"
	// wordsCity pairs a city with its country code: "City, Region=CC".
	wordsCity    = "San Francisco, California=US|New York, New York=US|Austin, Texas=US|Seattle, Washington=US|Boston, Massachusetts=US|London, England=GB|Manchester, England=GB|Berlin, Germany=DE|Munich, Germany=DE|Paris, France=FR|Lyon, France=FR|Amsterdam, Netherlands=NL|Stockholm, Sweden=SE|Copenhagen, Denmark=DK|Madrid, Spain=ES|Barcelona, Spain=ES|Lisbon, Portugal=PT|Milan, Italy=IT|Warsaw, Poland=PL|Zurich, Switzerland=CH|Dublin, Ireland=IE|Toronto, Ontario=CA|Vancouver, British Columbia=CA|São Paulo, Brazil=BR|Mexico City, Mexico=MX|Bengaluru, Karnataka=IN|Singapore=SG|Tokyo, Japan=JP|Sydney, New South Wales=AU|Tel Aviv, Israel=IL|Dubai, United Arab Emirates=AE|Nairobi, Kenya=KE|Lagos, Nigeria=NG|Cape Town, South Africa=ZA"
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
	first, last, title, coA, coB, industry, city, school, degree, skill, lang,
	topic, post, comment, reply, opener, feedCtx, viewer []string
	senior []string // the titles of decision makers, for DM lists
}

func newVocab() *vocab {
	sp := func(s string) []string { return strings.Split(s, "|") }
	v := &vocab{
		first: sp(wordsFirst), last: sp(wordsLast), title: sp(wordsTitle), coA: sp(wordsCoA), coB: sp(wordsCoB),
		industry: sp(wordsInd), city: sp(wordsCity), school: sp(wordsSchool), degree: sp(wordsDegree),
		skill: sp(wordsSkill), lang: sp(wordsLang), topic: sp(wordsTopic), post: sp(wordsPost),
		comment: sp(wordsComment), reply: sp(wordsReply), opener: sp(wordsOpener), feedCtx: sp(wordsFeedCtx),
		viewer: sp(wordsViewer),
	}
	for _, t := range v.title {
		for _, w := range []string{"Chief", "Head", "VP", "Founder", "Director", "Partner"} {
			if strings.Contains(t, w) {
				v.senior = append(v.senior, t)
				break
			}
		}
	}
	return v
}
