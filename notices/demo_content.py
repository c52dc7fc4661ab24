"""Demo content, in the project's own words, carrying every fact of the two seed notices.

Trust 1 (Northfield) is modelled on seed 000, trust 2 (Elmsworth) on seed 004.
All organisations, people, ICO numbers and URNs are fictional; public web
addresses (gov.uk, ico.org.uk) are real because parents need them.
"""

from datetime import date

DEMO_PASSWORD = "portal-demo-2026"
PLATFORM_ADMIN = {"email": "admin@portal.example.org", "name": "Platform Admin"}

CENSUS_URL = "https://www.gov.uk/education/data-collection-and-censuses-for-schools"
NPD_GUIDE_URL = (
    "https://www.gov.uk/government/publications/national-pupil-database-user-guide-and-supporting-information"
)
DFE_SHARING_URL = "https://www.gov.uk/data-protection-how-we-collect-and-share-research-data"
NPD_REQUESTS_URL = "https://www.gov.uk/government/publications/national-pupil-database-requests-received"
CONTACT_DFE_URL = "https://www.gov.uk/contact-dfe"
ICO_CONCERNS_URL = "https://ico.org.uk/concerns/"


def _npd_body():
    return f"""The National Pupil Database (NPD) belongs to the Department for Education (DfE), which also runs it. It holds information about pupils in schools in England. Independent researchers, and studies the DfE pays for, use it as evidence about how well education is working. It is kept electronically and used for statistics.

Information reaches the NPD securely from many places, including schools, local authorities and exam awarding bodies. By law, we have to send information about our pupils to the DfE through statutory data collections, such as the **school census** and the **early years census**. Some of that information is then kept in the NPD. The Education (Information About Individual Pupils) (England) Regulations 2013 are the law that allows this.

- [Read about the census and other data the DfE collects from schools]({CENSUS_URL})
- [Read the NPD user guide and supporting information]({NPD_GUIDE_URL})

The DfE may pass information from the NPD to other organisations whose work improves the education or well-being of children in England. They do this by:

- doing research or analysis
- producing statistics
- giving information, advice or guidance

The DfE has strong processes to keep the data confidential, with tight controls on who can see it and what they can do with it. Before it releases any data, the DfE puts the request through a strict approval process that looks closely at:

- who is asking for the data
- why they need it
- how detailed and sensitive the data is
- how they will store and handle it

An organisation that is given pupil information must agree to strict terms and conditions covering confidentiality, how the data is handled, security, how long it is kept and what it is used for.

- [Read how the DfE collects and shares research data]({DFE_SHARING_URL})
- [See which organisations the DfE has given pupil information to, and for which projects]({NPD_REQUESTS_URL})
- [Contact the DfE]({CONTACT_DFE_URL})"""


def _youth_support_body(la, note=""):
    body = f"""When a pupil reaches 13, we also pass their information to {la} and/or the provider of youth support services. Under **section 507B of the Education Act 1996** they are responsible for the education and training of young people aged 13 to 19. The information helps them provide:

- youth support services
- careers advice

A parent or carer can ask us to pass on only their child's **name, address and date of birth**. Just tell us. Once a pupil is **16**, this choice passes to them instead of their parent or carer."""
    return f"{body}\n\n{note}" if note else body


def _collecting_body():
    return """Most of the information you give us is **required by law**: we must collect it and you must provide it. Some of it is **your choice**. When we ask for information we tell you whether you must give it or whether you can choose, and what happens if you don't.

If required information is missing, we may not be able to meet our legal duties, for example returning the school census or keeping your child safe."""


def _complaints_body(trust, route):
    return f"""If you are unhappy with how we collect or use information, please tell us first. {route} We will acknowledge your complaint within 30 days and tell you what we will do and when. This is our own complaints route, which the Data (Use and Access) Act 2025 requires.

If you are still not satisfied, you can [raise a concern with the Information Commissioner's Office]({ICO_CONCERNS_URL})."""


_AUTOMATED = "We do not make decisions about you or your child by computer alone, and we do not use profiling to make decisions with legal or similarly significant effects."


def _core_rights(who):
    return [
        {
            "right": "access",
            "how_to_exercise": f"Parents and pupils can ask for the information we hold about them, and parents can ask to see their child's educational record. Contact {who}.",
        },
        {
            "right": "rectification",
            "how_to_exercise": f"In some circumstances you can have inaccurate information put right. Tell {who}.",
        },
        {
            "right": "restriction",
            "how_to_exercise": f"In some circumstances, for example while we check whether information is accurate, you can have it blocked: we keep it but do not use it. Ask {who}.",
        },
        {
            "right": "erasure",
            "how_to_exercise": f"In some circumstances you can have information erased or destroyed. Ask {who}.",
        },
        {
            "right": "objection",
            "how_to_exercise": f"If the way we use information is harming you, or could harm you, for example by causing damage or distress, you can object. Tell {who} your reasons, and we will look at it again.",
        },
        {
            "right": "direct_marketing",
            "how_to_exercise": f"You can stop us using your contact details to send you news or offers at any time. Tell {who}, or use the unsubscribe link in any email we send.",
        },
        {
            "right": "automated_decisions",
            "how_to_exercise": f"You can object to decisions being made about you by automated means. If you think this has happened, ask {who}.",
        },
        {
            "right": "portability",
            "how_to_exercise": f"Where we use information because you consented, and we hold it on a computer, you can ask for a copy in a common format to give to another organisation. Ask {who}.",
        },
        {
            "right": "withdraw_consent",
            "how_to_exercise": f"Where we rely on your consent, for example for photographs on display, you can withdraw it at any time. Tell {who}; this does not affect what we did before.",
        },
        {
            "right": "compensation",
            "how_to_exercise": "If a breach of data protection law causes you damage or distress, you can claim compensation.",
        },
        {
            "right": "complain_ico",
            "how_to_exercise": "You can complain to the Information Commissioner's Office (ICO), the UK's data protection regulator. Please tell us first so that we can try to put things right; 'How to complain' below explains both routes.",
        },
    ]


# ---------------------------------------------------------------- trust 1 (seed 000)

_NORTHFIELD_COMPLAINTS = "Email the trust's Data Protection Officer at complaints@northfield-trust.example.org, or write to the Clerk to the Trust, Northfield Learning Trust, 4 Mill Lane, Northfield NF1 2AB."

_T1_SYSTEMS = [
    {
        "name": "Bromcom",
        "used_for": "Our school information management system: pupil records, attendance and contacts",
        "supplier": "Bromcom Computers",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "Crest Education Safety Services",
        "used_for": "Online safety monitoring of school devices",
        "supplier": "Crest Education",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "HCSS",
        "used_for": "The trust's finance and budgeting system",
        "supplier": "HCSS Education",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "ParentPay",
        "used_for": "Messages to parents and payments for meals and trips",
        "supplier": "ParentPay",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "MyConcern",
        "used_for": "Recording safeguarding and behaviour concerns",
        "supplier": "One Team Logic",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "Educational software",
        "used_for": "Learning apps and websites that support teaching and learning",
        "supplier": "Various, listed on request",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "Egress Switch",
        "used_for": "Sending files securely, encrypted, from Microsoft Outlook",
        "supplier": "Egress Software",
        "outside_uk": False,
        "safeguard": "",
    },
    {"name": "Microsoft Outlook", "used_for": "Email", "supplier": "Microsoft", "outside_uk": False, "safeguard": ""},
    {
        "name": "Microsoft OneDrive",
        "used_for": "Storing and sharing documents",
        "supplier": "Microsoft",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "Google Docs",
        "used_for": "Pupils' and staff's shared documents",
        "supplier": "Google",
        "outside_uk": True,
        "safeguard": "UK International Data Transfer Addendum to Google's standard contractual clauses",
    },
    {
        "name": "Library software",
        "used_for": "Lending books and sharing resources with pupils",
        "supplier": "School library system supplier",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "STAT Online",
        "used_for": "Managing and tracking assessment data",
        "supplier": "STAT Online",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "SISRA",
        "used_for": "Managing and tracking assessment data",
        "supplier": "SISRA",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "CCTV",
        "used_for": "Keeping the site safe and secure",
        "supplier": "Run by the school",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "Evolve",
        "used_for": "Planning and approving school trips and visits",
        "supplier": "EduFOCUS",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "Exercise books and pupil work files",
        "used_for": "Pupils' work on paper, kept in folders at school",
        "supplier": "",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "Pupil photographs for display",
        "used_for": "Photographs shown on display boards around school",
        "supplier": "",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "Reception Baseline (NFER)",
        "used_for": "The statutory Reception Baseline Assessment in the first weeks of Reception",
        "supplier": "NFER",
        "outside_uk": False,
        "safeguard": "",
    },
]


def _northfield_notice(school_name, contact_name, contact_email, systems, summary_extra, youth_note=""):
    who = f"the Headteacher, {contact_name}"
    return {
        "title": "Privacy notice for pupils and parents",
        "slug": "pupils-and-parents",
        "audience": "pupils_parents",
        "summary": (
            f"{school_name} keeps information about pupils and their families so that we can teach, keep pupils safe and run the school. "
            "Most of it the law says we must collect. We share it only when the law or our policies allow, for example with the Department for Education and the local authority. "
            f"We keep it securely and only for as long as we need it. You can ask to see it, and to have mistakes put right. {summary_extra}"
        ),
        "contact_name": contact_name,
        "contact_role": "Headteacher",
        "contact_email": contact_email,
        "contact_phone": "",
        "review_by": date(2027, 9, 1),
        "categories": [
            {
                "name": "Personal information",
                "examples": "name, unique pupil number, address and photograph",
                "special": False,
                "source": "your child's previous school",
            },
            {
                "name": "Characteristics",
                "examples": "language, nationality, country of birth and free school meal eligibility",
                "special": False,
                "source": "the local authority, for free school meal eligibility",
            },
            {
                "name": "Ethnicity",
                "examples": "ethnic group, as you tell us for the census",
                "special": True,
                "source": "",
            },
            {
                "name": "Attendance information",
                "examples": "sessions attended, number of absences and absence reasons",
                "special": False,
                "source": "",
            },
            {
                "name": "Medical information (Individual Healthcare Plan)",
                "examples": "name, address, medical diagnosis or condition, family contacts, doctor and hospital contacts, medication and the support needed",
                "special": True,
                "source": "doctors, school nurses and hospitals",
            },
            {
                "name": "Special educational needs (EHCP)",
                "examples": "the Education, Health and Care Plan: the legal document describing a child's special educational, health and social care needs",
                "special": True,
                "source": "the local authority",
            },
            {
                "name": "Safeguarding and behaviour information",
                "examples": "concerns, incidents and the support given",
                "special": False,
                "source": "social care and other agencies",
            },
            {
                "name": "School trip information",
                "examples": "consents, medical needs and emergency contacts for visits",
                "special": False,
                "source": "",
            },
            {
                "name": "Accidents and health and safety",
                "examples": "accident records and first aid given",
                "special": False,
                "source": "",
            },
            {
                "name": "Exam and progress assessment information",
                "examples": "assessment results and progress tracking",
                "special": False,
                "source": "exam awarding bodies",
            },
            {
                "name": "Educational software accounts",
                "examples": "log-ins and work in the software we provide to support teaching and learning",
                "special": False,
                "source": "",
            },
            {
                "name": "School meal information",
                "examples": "meal choices, dietary needs and payments, so that your child can be given a school meal",
                "special": False,
                "source": "",
            },
            {
                "name": "Library records",
                "examples": "books and resources borrowed, through our library software",
                "special": False,
                "source": "",
            },
            {
                "name": "Statutory returns and audit information",
                "examples": "what we must report to meet our statutory requirements and for audit",
                "special": False,
                "source": "",
            },
        ],
        "bases": [
            {
                "key": "public-task",
                "title": "Running the school",
                "article6": "e",
                "article9": "",
                "legislation": "Education Act 1996 and the Academies Act 2010",
                "explanation": "Most of what we do with information is part of the school's legitimate activities as a state-funded school: teaching, pastoral care and running the school. The law calls this a public task.",
                "legitimate_interest": "",
                "special_categories": [],
            },
            {
                "key": "census",
                "title": "Census returns to the DfE",
                "article6": "c",
                "article9": "",
                "legislation": "Education Act 1996; regulation 5 of the Education (Information About Individual Pupils) (England) Regulations 2013",
                "explanation": "The law requires us to send the DfE information for its data collections, such as the school census. The DfE's census guides explain what each collection includes: see 'The DfE's data collection and the National Pupil Database' below.",
                "legitimate_interest": "",
                "special_categories": [],
            },
            {
                "key": "vital",
                "title": "Protecting someone's life",
                "article6": "d",
                "article9": "c",
                "legislation": "",
                "explanation": "Sometimes we must use information to protect the life or vital interests of a pupil or someone else who is physically or legally unable to give consent. Safeguarding a child in an emergency is an example.",
                "legitimate_interest": "",
                "special_categories": ["Medical information (Individual Healthcare Plan)"],
            },
            {
                "key": "special",
                "title": "Sensitive information for the school's legal duties",
                "article6": "c",
                "article9": "g",
                "legislation": "Data Protection Act 2018, Schedule 1; Children and Families Act 2014; Equality Act 2010",
                "explanation": "We use ethnicity, health and special educational needs information for reasons of substantial public interest: to meet our legal duties to pupils with medical conditions and special educational needs, to keep children safe, and to check that we treat every group of pupils fairly.",
                "legitimate_interest": "",
                "special_categories": [
                    "Ethnicity",
                    "Medical information (Individual Healthcare Plan)",
                    "Special educational needs (EHCP)",
                ],
            },
            {
                "key": "consent",
                "title": "Photographs on display",
                "article6": "a",
                "article9": "",
                "legislation": "",
                "explanation": "We only put pupils' photographs on display around school if you have agreed. You can change your mind at any time, and we will take the photographs down.",
                "legitimate_interest": "",
                "special_categories": [],
            },
            {
                "key": "trust-news",
                "title": "News and events from the trust",
                "article6": "f",
                "article9": "",
                "legislation": "",
                "explanation": "We use parents' and carers' contact details to send news about events, clubs and opportunities across the trust's schools. This is not something the law requires of us, so we rely on our legitimate interests. You can object or unsubscribe at any time.",
                "legitimate_interest": "Keeping families informed about, and involved in, the life of the trust and its schools, which families would expect of their child's school. We only use names and contact details, never sell or share them, and we stop when you ask.",
                "special_categories": [],
            },
            {
                "key": "youth",
                "title": "Youth support services",
                "article6": "c",
                "article9": "",
                "legislation": "Section 507B of the Education Act 1996",
                "explanation": "From age 13 we pass information to the local authority and youth support services, who have duties for 13 to 19 year olds.",
                "legitimate_interest": "",
                "special_categories": [],
            },
        ],
        "purposes": [
            {"name": "To support pupils' learning", "detail": "", "bases": ["public-task"]},
            {"name": "To monitor and report on pupils' progress", "detail": "", "bases": ["public-task"]},
            {
                "name": "To provide the right pastoral care",
                "detail": "This includes keeping pupils safe and healthy.",
                "bases": ["public-task", "vital", "special"],
            },
            {"name": "To assess the quality of our services", "detail": "", "bases": ["public-task"]},
            {"name": "To comply with the law on sharing data", "detail": "", "bases": ["census", "youth"]},
            {
                "name": "To meet our statutory obligations and audit requirements",
                "detail": "",
                "bases": ["census", "public-task"],
            },
            {
                "name": "To celebrate pupils and their work on display",
                "detail": "Only with your consent for photographs.",
                "bases": ["consent"],
            },
            {
                "name": "To tell families about news and events across the trust",
                "detail": "By email and through the ParentPay app.",
                "bases": ["trust-news"],
            },
        ],
        "systems": systems,
        "retention": [
            {
                "record_type": "Pupil's educational record",
                "period": "Passed to the next school; the last school keeps it until the pupil is 25. We follow the Information Commissioner's guidance on retention.",
            },
            {
                "record_type": "Safeguarding records",
                "period": "Passed to the next school; the last school keeps them until the pupil is at least 25, and longer where a case, the police or a public inquiry needs them",
            },
            {
                "record_type": "Medical records and Individual Healthcare Plans",
                "period": "While the pupil is with us; records of medicines given are kept until the pupil is 25",
            },
            {"record_type": "Special educational needs records", "period": "Until the pupil is 31"},
            {"record_type": "Accident records", "period": "Until the pupil is 21"},
            {
                "record_type": "School trip records",
                "period": "Until the end of the school year; longer if there was an accident on the trip",
            },
            {
                "record_type": "Trust news mailing list",
                "period": "Until the pupil leaves the trust, or sooner if you unsubscribe",
            },
            {"record_type": "CCTV recordings", "period": "30 days, unless needed for an investigation"},
            {"record_type": "Exam and assessment results", "period": "Current year plus 6 years"},
            {
                "record_type": "Photographs on display",
                "period": "Until the pupil leaves, or sooner if consent is withdrawn",
            },
        ],
        "recipients": [
            {
                "name": "Schools that pupils attend after leaving us",
                "reason": "So the new school has the pupil's educational record.",
                "sharing": "routine",
                "legal_basis": "Education (Pupil Information) (England) Regulations 2005",
                "outside_uk": False,
                "safeguard": "",
            },
            {
                "name": "Our local authority",
                "reason": "For admissions, attendance, special educational needs, safeguarding and funding.",
                "sharing": "statutory",
                "legal_basis": "Education Act 1996",
                "outside_uk": False,
                "safeguard": "",
            },
            {
                "name": "The Department for Education (DfE)",
                "reason": "Statutory data collections, such as the school census; the data underpins how schools are funded and how the government sets and monitors policy on educational attainment.",
                "sharing": "statutory",
                "legal_basis": "Regulation 5 of the Education (Information About Individual Pupils) (England) Regulations 2013",
                "outside_uk": False,
                "safeguard": "",
            },
            {
                "name": "NFER (Reception Baseline)",
                "reason": "To run the Reception Baseline Assessment for the DfE.",
                "sharing": "statutory",
                "legal_basis": "Assessment and reporting arrangements set under the Education Act 2002",
                "outside_uk": False,
                "safeguard": "",
            },
            {
                "name": "The other schools in Northfield Learning Trust",
                "reason": "To share support, staff and services across the trust.",
                "sharing": "routine",
                "legal_basis": "Public task: the trust runs all its schools",
                "outside_uk": False,
                "safeguard": "",
            },
            {
                "name": "Educational software providers",
                "reason": "To provide software that supports teaching and learning.",
                "sharing": "routine",
                "legal_basis": "Public task; contracts that protect the data",
                "outside_uk": False,
                "safeguard": "",
            },
            {
                "name": "S4S",
                "reason": "They support us with SIMS and our data.",
                "sharing": "routine",
                "legal_basis": "Contract as our data processor",
                "outside_uk": False,
                "safeguard": "",
            },
            {
                "name": "Our auditors",
                "reason": "To check our accounts and statutory returns.",
                "sharing": "routine",
                "legal_basis": "Academy Trust Handbook; Companies Act 2006",
                "outside_uk": False,
                "safeguard": "",
            },
            {
                "name": "Youth support services and careers advisers",
                "reason": "For pupils aged 13 and over: see 'Youth support services' below.",
                "sharing": "statutory",
                "legal_basis": "Section 507B of the Education Act 1996",
                "outside_uk": False,
                "safeguard": "",
            },
        ],
        "rights": _core_rights(who),
        "sections": [
            {
                "heading": "Collecting information",
                "kind": "collecting",
                "placement": "after_purposes",
                "body": _collecting_body()
                + "\n\nWithout your consent, we share information about pupils only when the law and our own policies allow it.",
            },
            {
                "heading": "Where we get information from",
                "kind": "sources",
                "placement": "after_purposes",
                "body": "Most information comes from you, or from your child. Some comes from other organisations:\n\n- **your child's previous school or nursery**: their educational record, attendance, assessment results and any safeguarding file\n- **our local authority**: admissions, free school meal eligibility and Education, Health and Care Plans\n- **the Department for Education**: pupil records moved between schools through its secure transfer service, and national assessment results\n- **exam awarding bodies**: exam results\n- **doctors, hospitals and school nurses**: health information for an Individual Healthcare Plan\n- **social care and other agencies**: information we need to keep a child safe",
            },
            {
                "heading": "Transferring data internationally",
                "kind": "international",
                "placement": "after_storage",
                "body": "Almost all information is held in the UK. The exception is **Google Docs**: Google may store pupils' and staff's shared documents outside the UK. The **UK International Data Transfer Addendum** in our contract with Google gives it the protection that UK law requires.\n\nIf another system ever keeps information outside the UK, we will list it under **Where we store it**, with the safeguard that protects it, before we start using it.",
            },
            {
                "heading": "The DfE's data collection and the National Pupil Database",
                "kind": "npd",
                "placement": "after_sharing",
                "body": _npd_body(),
            },
            {
                "heading": "Youth support services (pupils aged 13 and over)",
                "kind": "youth_support",
                "placement": "after_sharing",
                "body": _youth_support_body("Northshire County Council, our local authority,", youth_note),
            },
            {
                "heading": "Decisions made by computer",
                "kind": "automated_decisions",
                "placement": "after_rights",
                "body": _AUTOMATED,
            },
            {
                "heading": "How to complain",
                "kind": "complaints",
                "placement": "after_rights",
                "body": _complaints_body("Northfield Learning Trust", _NORTHFIELD_COMPLAINTS),
            },
            {
                "heading": "Review of this notice",
                "kind": "review",
                "placement": "end",
                "body": "We review this notice every year and whenever we change how we use information. We will tell you about new uses of your information before they start.",
            },
        ],
    }


_KINGSMERE_SYSTEMS = [dict(s) for s in _T1_SYSTEMS if s["name"] not in ("Reception Baseline (NFER)", "Bromcom")] + [
    {
        "name": "Arbor",
        "used_for": "Our school information management system: pupil records, attendance and contacts",
        "supplier": "Arbor Education",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "Sparx Maths",
        "used_for": "Maths homework and practice",
        "supplier": "Sparx",
        "outside_uk": False,
        "safeguard": "",
    },
    {
        "name": "Unifrog",
        "used_for": "Careers and post-16 applications",
        "supplier": "Unifrog Education",
        "outside_uk": False,
        "safeguard": "",
    },
]


def _secondary(notice):
    """Kingsmere is a secondary school: no Reception Baseline to share."""
    notice["recipients"] = [r for r in notice["recipients"] if not r["name"].startswith("NFER")]
    return notice


# ---------------------------------------------------------------- trust 2 (seed 004)

_ELMSWORTH_COMPLAINTS = "Write to the Trust office at Elmsworth Academies Trust, Vale Road, Elmsworth EL4 7QT, or email complaints@elmsworth-trust.example.org; our complaints policy on the website explains the steps if there is a dispute."

_ELMSWORTH_NOTICE = {
    "title": "Privacy notice for pupils, parents and carers",
    "slug": "pupils-and-parents",
    "audience": "pupils_parents",
    "summary": (
        "Elmsworth Vale Academy is part of Elmsworth Academies Trust, and the trust looks after the information the school holds. "
        "That includes information about each pupil and about their parents, carers and emergency contacts. "
        "This notice sets out what we hold, what we use it for, and which laws allow us to. "
        "The law requires us to collect much of it, and we only share it where the law allows. "
        "You have rights over it, and our Data Protection Lead will answer any question."
    ),
    "contact_name": "Ms Priya Sandhu",
    "contact_role": "Data Protection Lead",
    "contact_email": "dpl@elmsworth-vale.example.org",
    "contact_phone": "0116 496 0123",
    "review_by": date(2027, 7, 31),
    "categories": [
        {
            "name": "Personal information",
            "examples": "names, dates of birth, pupil numbers and addresses",
            "special": False,
            "source": "previous schools",
        },
        {
            "name": "Parent, carer and emergency contact details",
            "examples": "names, addresses, phone numbers and relationship to the pupil, kept up to date for emergencies",
            "special": False,
            "source": "",
        },
        {
            "name": "Characteristics",
            "examples": "vulnerability categories, language, nationality, country of birth and free school meal eligibility",
            "special": False,
            "source": "the local authority",
        },
        {"name": "Ethnicity", "examples": "ethnic group", "special": True, "source": ""},
        {
            "name": "Behaviour data",
            "examples": "behaviour records, including the number of temporary exclusions",
            "special": False,
            "source": "",
        },
        {
            "name": "Attendance information",
            "examples": "number of absences and absence reasons",
            "special": False,
            "source": "",
        },
        {
            "name": "Assessment information",
            "examples": "national curriculum assessment results, progress and attainment",
            "special": False,
            "source": "exam awarding bodies and the DfE",
        },
        {
            "name": "Relevant medical and social care information",
            "examples": "medical needs, care plans and social care involvement",
            "special": True,
            "source": "health professionals and social care",
        },
        {
            "name": "SEND and health needs",
            "examples": "special educational needs and disabilities, Education Health and Care Plans (or Statements of Special Educational Needs)",
            "special": True,
            "source": "the local authority and health services",
        },
        {
            "name": "CCTV, photos and video recordings",
            "examples": "CCTV images, photographs and videos of school life",
            "special": False,
            "source": "",
        },
    ],
    "bases": [
        {
            "key": "public-task",
            "title": "Public task: running the trust's schools",
            "article6": "e",
            "article9": "",
            "legislation": "Education Act 1996",
            "explanation": "The DfE and local authorities require schools to collect some information and report it back to them. Because giving them that information is necessary, the law treats it as a public task.",
            "legitimate_interest": "",
            "special_categories": [],
        },
        {
            "key": "census",
            "title": "Statutory data collections",
            "article6": "c",
            "article9": "g",
            "legislation": "Regulation 5 of The Education (Information About Individual Pupils) (England) Regulations 2013; Article 6 and Article 9 UK GDPR; Data Protection Act 2018, Schedule 1",
            "explanation": "The law requires us to send information to the DfE, for example in the school census. The census includes ethnicity, which we collect for reasons of substantial public interest: so the government can check that every group of pupils is treated fairly. You can choose not to give it.",
            "legitimate_interest": "",
            "special_categories": ["Ethnicity"],
        },
        {
            "key": "safeguarding",
            "title": "Safeguarding children",
            "article6": "c",
            "article9": "g",
            "legislation": "Children Act 1989 and 2004; Article 9 UK GDPR; Data Protection Act 2018, Schedule 1",
            "explanation": "When a child may be at risk of harm, the law requires us to record what we know and to share it with the other agencies whose job is to keep children safe, such as the police and social care.",
            "legitimate_interest": "",
            "special_categories": ["Relevant medical and social care information"],
        },
        {
            "key": "send",
            "title": "Special educational needs and health",
            "article6": "c",
            "article9": "h",
            "legislation": "Children and Families Act 2014",
            "explanation": "Some pupils need, or may need, an Education, Health and Care Plan (EHCP). We share information about them with the people who assess and support them. Medical teams, for example the school nurses who visit us, can see some information about pupils, either because you have agreed or because the law requires us to share it.",
            "legitimate_interest": "",
            "special_categories": ["SEND and health needs", "Relevant medical and social care information"],
        },
        {
            "key": "immunisations",
            "title": "School immunisations",
            "article6": "e",
            "article9": "",
            "legislation": "DfE guidance of December 2024 on sharing information with School Age Immunisation Services",
            "explanation": "When the SAIS team asks, we must give them the list of eligible pupils and their parents' contact details. This is a public task, so it does not depend on consent.",
            "legitimate_interest": "",
            "special_categories": [],
        },
        {
            "key": "news",
            "title": "Keeping families informed",
            "article6": "f",
            "article9": "",
            "legislation": "",
            "explanation": "We use contact details to tell pupils, parents and carers about events and news across the trust. The law does not require this, so we rely on our legitimate interests.",
            "legitimate_interest": "Keeping our school community informed about, and involved in, the life of the trust, which families would expect of their school. We only use names and contact details, and you can ask us to stop at any time.",
            "special_categories": [],
        },
        {
            "key": "photos",
            "title": "Photos and videos",
            "article6": "a",
            "article9": "",
            "legislation": "",
            "explanation": "Some uses of photos and videos go beyond what the school needs in order to run, for example putting them on our website or social media. We only do that if you agree, and you can change your mind at any time.",
            "legitimate_interest": "",
            "special_categories": [],
        },
    ],
    "purposes": [
        {
            "name": "To meet our legal duty to safeguard and protect children and vulnerable people",
            "detail": "",
            "bases": ["safeguarding"],
        },
        {
            "name": "To give each pupil targeted, personalised learning",
            "detail": "We record progress, attainment and development so that we can plan what each pupil learns next.",
            "bases": ["public-task", "send"],
        },
        {"name": "To manage behaviour and keep discipline effective", "detail": "", "bases": ["public-task"]},
        {
            "name": "To check how effective the trust and its schools are",
            "detail": "We look at the impact of extra support (interventions) and of different learning styles, for groups of pupils and for individual children.",
            "bases": ["public-task"],
        },
        {
            "name": "To share data where the law obliges us to",
            "detail": "For example the school census, and the list the immunisation team asks for.",
            "bases": ["census", "immunisations"],
        },
        {
            "name": "To help every pupil reach their full potential",
            "detail": "We keep track of pastoral needs and attendance so that we can plan the right support when it is needed.",
            "bases": ["public-task", "send"],
        },
        {
            "name": "To keep pupils, parents and carers up to date with trust news and events",
            "detail": "Photos and videos are only used for this with consent.",
            "bases": ["news", "photos"],
        },
    ],
    "systems": [
        {
            "name": "School management information system",
            "used_for": "Pupil and family records, attendance and behaviour",
            "supplier": "Arbor Education",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "School meals payment system",
            "used_for": "Taking electronic payments for school meals",
            "supplier": "sQuid",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Finance software",
            "used_for": "Managing school budgets; a little pupil data may be included",
            "supplier": "PS Financials",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Progress tracking software",
            "used_for": "Tracking progress and attainment",
            "supplier": "Insight Tracking",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Google Workspace for Education",
            "used_for": "Email, documents and classroom tools",
            "supplier": "Google",
            "outside_uk": True,
            "safeguard": "The UK-US data bridge (the UK Extension to the EU-US Data Privacy Framework), and the UK International Data Transfer Addendum in our contract with Google",
        },
        {
            "name": "CCTV",
            "used_for": "Keeping the site safe",
            "supplier": "Run by the school",
            "outside_uk": False,
            "safeguard": "",
        },
    ],
    "retention": [
        {
            "record_type": "Pupil record",
            "period": "Until the pupil is 25, then securely destroyed, following our records retention policy",
        },
        {
            "record_type": "Safeguarding and child protection records",
            "period": "Until the pupil is 25, or longer where the law or an inquiry requires",
        },
        {"record_type": "SEND records", "period": "Until the pupil is 31"},
        {"record_type": "Parent and emergency contact details", "period": "While the pupil is at the school"},
        {"record_type": "CCTV recordings", "period": "28 days unless needed for an incident"},
        {
            "record_type": "Photos and videos used with consent",
            "period": "Until consent is withdrawn; photos on the website or social media are removed within two years of the pupil leaving",
        },
        {
            "record_type": "Trust news mailing list",
            "period": "Until the pupil leaves the trust, or sooner if you unsubscribe",
        },
    ],
    "recipients": [
        {
            "name": "Schools or academies pupils attend after leaving us",
            "reason": "To pass on the educational record.",
            "sharing": "routine",
            "legal_basis": "Education (Pupil Information) (England) Regulations 2005",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Relevant local authorities",
            "reason": "Admissions, attendance, SEND and safeguarding.",
            "sharing": "statutory",
            "legal_basis": "Education Act 1996",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Youth support services",
            "reason": "From age 13, for careers advice and youth services: see 'Youth support services' below.",
            "sharing": "statutory",
            "legal_basis": "Section 507B of the Education Act 1996",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "The Department for Education (DfE)",
            "reason": "Statutory data collections such as the school census: see 'The National Pupil Database' below.",
            "sharing": "statutory",
            "legal_basis": "Regulation 5 of The Education (Information About Individual Pupils) (England) Regulations 2013",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "The NHS",
            "reason": "When the NHS needs information to care for a pupil's health, for example in an emergency.",
            "sharing": "on_request",
            "legal_basis": "Public task; Article 9(2)(h)",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "School nursing service",
            "reason": "School nurses visit the school to check on and support pupils' health.",
            "sharing": "routine",
            "legal_basis": "Public task; Article 9(2)(h)",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "School Age Immunisation Service (SAIS)",
            "reason": "When asked, the list of eligible pupils and their parents' contact details, so that the team can offer vaccinations: see 'Immunisations and vaccinations' below.",
            "sharing": "statutory",
            "legal_basis": "DfE guidance, December 2024; public task",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Parents and carers",
            "reason": "Reports on progress and attendance, and other information about their own child.",
            "sharing": "routine",
            "legal_basis": "Education (Pupil Information) (England) Regulations 2005",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Suppliers and service providers",
            "reason": "To provide services the trust uses.",
            "sharing": "routine",
            "legal_basis": "Contracts that protect the data",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Health professionals",
            "reason": "To support pupils' health needs.",
            "sharing": "on_request",
            "legal_basis": "Public task; Article 9(2)(h)",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Health and social welfare organisations",
            "reason": "To support pupils' welfare.",
            "sharing": "on_request",
            "legal_basis": "Public task",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Professional bodies",
            "reason": "Where their rules require it, for example the Joint Council for Qualifications checking access arrangements for exams.",
            "sharing": "on_request",
            "legal_basis": "Legal obligation",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Charities and voluntary organisations",
            "reason": "To provide support to pupils and families, with consent where needed.",
            "sharing": "on_request",
            "legal_basis": "Consent or public task",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Auditors",
            "reason": "To check our accounts.",
            "sharing": "routine",
            "legal_basis": "Academy Trust Handbook",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Survey and research organisations",
            "reason": "Research and surveys we have approved, such as national education surveys. We tell you first, and you can usually say no.",
            "sharing": "on_request",
            "legal_basis": "Public task",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Social care organisations",
            "reason": "To keep children safe, and to support families who need help.",
            "sharing": "statutory",
            "legal_basis": "Children Act 1989 and 2004",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Police forces and court services",
            "reason": "When they need it to keep a child safe or to prevent or detect crime. We check every request.",
            "sharing": "on_request",
            "legal_basis": "Legal obligation; Data Protection Act 2018, Schedule 2",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Suppliers of software and apps used in the trust",
            "reason": "To run the tools pupils and staff use.",
            "sharing": "routine",
            "legal_basis": "Contracts that protect the data",
            "outside_uk": False,
            "safeguard": "",
        },
        {
            "name": "Consultants, experts and other advisers",
            "reason": "To help the trust meet its obligations and run properly, where the information is relevant to their work.",
            "sharing": "on_request",
            "legal_basis": "Public task",
            "outside_uk": False,
            "safeguard": "",
        },
    ],
    "rights": _core_rights("Ms Priya Sandhu (Data Protection Lead)"),
    "sections": [
        {
            "heading": "Our legal obligations",
            "kind": "intro",
            "placement": "start",
            "body": "Everything we do with information about pupils has to follow the UK GDPR and the Data Protection Act 2018. So we need a lawful reason for each piece of information we collect, and a legal basis before we share any of it with another organisation or person.\n\nThose reasons come from several laws, including the Education Act 1996, Regulation 5 of The Education (Information About Individual Pupils) (England) Regulations 2013, and Articles 6 and 9 of the UK GDPR. The part **Why we use it and our lawful basis** shows which one applies to each use.\n\nWe also collect information about parents, carers and emergency contacts linked to a pupil, and we must keep it up to date in case we need to reach you in an emergency.",
        },
        {
            "heading": "Collecting information",
            "kind": "collecting",
            "placement": "after_purposes",
            "body": _collecting_body()
            + "\n\nMuch of what we collect is set by the DfE and the government. They use it to monitor and support schools across the country, and to check how well each school is doing.",
        },
        {
            "heading": "How we use information",
            "kind": "other",
            "placement": "after_purposes",
            "body": "Some of the tools we use come from other companies (third-party tools). We choose them to help us act in each pupil's best interests, and they are listed under **Where we store it**. With them we:\n\n- record progress, attainment and development, to plan future learning\n- follow pastoral needs and attendance, so that support can be planned early\n- take school meal payments electronically\n- manage school budgets; our finance software may hold a little pupil data\n\nSometimes consultants, experts or other advisers help us meet our duties or run the trust well. If pupil information is relevant to their work, we may share it with them.",
        },
        {
            "heading": "Where we get information from",
            "kind": "sources",
            "placement": "after_purposes",
            "body": "Most information comes from parents, carers and pupils. Some comes from other organisations:\n\n- **previous schools**: the educational record, attendance and behaviour records\n- **local authorities**: admissions, free school meal eligibility, vulnerability information and Education, Health and Care Plans\n- **the Department for Education**: pupil records moved between schools, and national curriculum assessment results\n- **exam awarding bodies**: exam results\n- **health professionals and school nurses**: medical information\n- **social care and the police**: information needed to keep a child safe",
        },
        {
            "heading": "Transferring data internationally",
            "kind": "international",
            "placement": "after_storage",
            "body": "Where we transfer personal information outside the UK, we do so as data protection law allows and with appropriate safeguards in place.\n\nAt the moment this applies to **Google Workspace for Education**, which we use for email, documents and classroom tools. Google may process some of this information in the United States. Two safeguards protect it: the **UK-US data bridge**, which Google has signed up to, and the **UK International Data Transfer Addendum**, which is part of our contract with Google.\n\nIf we start using another system that sends information abroad, we will add it under **Where we store it** and update this notice before it starts.",
        },
        {"heading": "The National Pupil Database", "kind": "npd", "placement": "after_sharing", "body": _npd_body()},
        {
            "heading": "Youth support services (pupils aged 13 and over)",
            "kind": "youth_support",
            "placement": "after_sharing",
            "body": _youth_support_body("Elmshire County Council"),
        },
        {
            "heading": "Immunisations and vaccinations",
            "kind": "immunisations",
            "placement": "after_sharing",
            "body": "NHS England pays **School Age Immunisation Services (SAIS)** to give vaccinations in schools. Guidance the DfE published in **December 2024** says schools must share information with them. When the SAIS team asks, we give them:\n\n- a list of eligible children and young people\n- the contact details of each child's parents or carers\n\nWhether a child is vaccinated is decided between the pupil, their parent or carer, and the SAIS provider, who asks for consent. The school takes no active part in that decision. Sharing the list is different: it is part of our public task, so it does not rely on consent, and it is mandatory.",
        },
        {
            "heading": "Decisions made by computer",
            "kind": "automated_decisions",
            "placement": "after_rights",
            "body": _AUTOMATED,
        },
        {
            "heading": "How to complain",
            "kind": "complaints",
            "placement": "after_rights",
            "body": _complaints_body("Elmsworth Academies Trust", _ELMSWORTH_COMPLAINTS),
        },
        {
            "heading": "More about data protection and our policies",
            "kind": "other",
            "placement": "end",
            "body": "Our website has our data protection policy and the policies linked to it. Together they explain how we manage information, and what we must do to look after it and share it safely.\n\n- If you think information about your child is wrong, or that we should no longer keep it, get in touch with the Trust office.\n- If there is a disagreement, our complaints policy sets out the steps.\n- Subject access requests (asking for a copy of your information) follow their own policy, also on our website.",
        },
        {
            "heading": "Review of this notice",
            "kind": "review",
            "placement": "end",
            "body": "The trust updates this notice from time to time. We will tell you directly, as far as we reasonably can, about any substantial change that affects your rights.",
        },
    ],
}

TRUSTS = [
    {
        "slug": "northfield",
        "name": "Northfield Learning Trust",
        "address": "4 Mill Lane\nNorthfield\nNF1 2AB",
        "ico_registration": "ZZ900101",
        "dpo_name": "Helen Okafor",
        "dpo_email": "dpo@northfield-trust.example.org",
        "complaints_contact": _NORTHFIELD_COMPLAINTS,
        "publisher": {"email": "publisher@northfield-trust.example.org", "name": "Sam Whitfield (trust staff)"},
        "schools": [
            {
                "slug": "hollybrook",
                "name": "Hollybrook Primary Academy",
                "urn": "990101",
                "address": "Hollybrook Road\nNorthfield\nNF2 4CD",
                "headteacher": "Mrs Amanda Reid",
                "contact_email": "office@hollybrook.example.org",
                "seed": "000",
                "editor": {"email": "dpl@hollybrook.example.org", "name": "Jo Patel (Hollybrook DPL)"},
                "notice": _northfield_notice(
                    "Hollybrook Primary Academy",
                    "Mrs Amanda Reid",
                    "head@hollybrook.example.org",
                    [dict(s) for s in _T1_SYSTEMS],
                    "Ask the Headteacher if anything is unclear.",
                    youth_note="Most pupils leave Hollybrook at 11, before they turn 13, so this rarely applies while they are with us. It applies at Kingsmere Academy and at any secondary school your child moves on to.",
                ),
            },
            {
                "slug": "kingsmere",
                "name": "Kingsmere Academy",
                "urn": "990102",
                "address": "Kingsmere Avenue\nNorthfield\nNF3 6EF",
                "headteacher": "Mr Daniel Osei",
                "contact_email": "office@kingsmere.example.org",
                "seed": None,
                "editor": {"email": "dpl@kingsmere.example.org", "name": "Chris Doyle (Kingsmere DPL)"},
                "notice": _secondary(
                    _northfield_notice(
                        "Kingsmere Academy",
                        "Mr Daniel Osei",
                        "head@kingsmere.example.org",
                        _KINGSMERE_SYSTEMS,
                        "Older pupils can ask us directly too.",
                    )
                ),
            },
        ],
    },
    {
        "slug": "elmsworth",
        "name": "Elmsworth Academies Trust",
        "address": "Vale Road\nElmsworth\nEL4 7QT",
        "ico_registration": "ZZ900202",
        "dpo_name": "Marcus Bell",
        "dpo_email": "dpo@elmsworth-trust.example.org",
        "complaints_contact": _ELMSWORTH_COMPLAINTS,
        "publisher": {"email": "publisher@elmsworth-trust.example.org", "name": "Alex Morgan (trust staff)"},
        "schools": [
            {
                "slug": "elmsworth-vale",
                "name": "Elmsworth Vale Academy",
                "urn": "990201",
                "address": "Vale Road\nElmsworth\nEL4 7QT",
                "headteacher": "Dr Ruth Akinola",
                "contact_email": "office@elmsworth-vale.example.org",
                "seed": "004",
                "editor": {"email": "dpl@elmsworth-vale.example.org", "name": "Priya Sandhu (Elmsworth Vale DPL)"},
                "notice": _ELMSWORTH_NOTICE,
            },
        ],
    },
]

# The trust's notice period for material changes (tenants.Trust.min_notice_days).
NOTICE_DAYS = 14

# One school announces a change that takes effect after the notice period, so a newcomer sees the "this
# notice changes on ..." banner on its page after `make run` (issue 15).
UPCOMING = {
    "school": "hollybrook",
    "add_system": {
        "name": "Wonde",
        "used_for": "Passes pupil and parent contact details from our management information system to the school "
        "apps we use, so each app holds only what it needs",
        "supplier": "Wonde Ltd",
        "outside_uk": False,
        "safeguard": "",
    },
    "summary": "From this date Wonde passes contact details from our management information system to the school "
    "apps we use, instead of staff copying them by hand.",
}

V2_CHANGES = {
    "hollybrook": {
        "add_system": {
            "name": "Tapestry",
            "used_for": "Online learning journal for Reception",
            "supplier": "The Foundation Stage Forum",
            "outside_uk": False,
            "safeguard": "",
        },
        "retention": {"record_type": "CCTV recordings", "period": "14 days, unless needed for an investigation"},
        "summary": "We now use Tapestry for Reception learning journals, and we keep CCTV recordings for 14 days instead of 30.",
    },
    "kingsmere": {
        "add_system": {
            "name": "Satchel One",
            "used_for": "Homework and class notices",
            "supplier": "Teachercentric",
            "outside_uk": False,
            "safeguard": "",
        },
        "retention": {"record_type": "Exam and assessment results", "period": "Current year plus 7 years"},
        "summary": "We now use Satchel One for homework, and we keep exam results for one more year.",
    },
    "elmsworth-vale": {
        "add_system": {
            "name": "Reading Plus",
            "used_for": "Online reading practice",
            "supplier": "Reading Solutions UK",
            "outside_uk": False,
            "safeguard": "",
        },
        "retention": {"record_type": "CCTV recordings", "period": "21 days unless needed for an incident"},
        "summary": "We added Reading Plus for reading practice and now keep CCTV recordings for 21 days.",
    },
}

V3_CHANGES = {
    "hollybrook": {
        "section_heading": "Review of this notice",
        "find": "We review this notice every year",
        "replace": "We review this notice at least once a year",
        "summary": "Wording fix in 'Review of this notice'.",
    },
    "kingsmere": {
        "section_heading": "Review of this notice",
        "find": "We review this notice every year",
        "replace": "We review this notice at least once a year",
        "summary": "Wording fix in 'Review of this notice'.",
    },
    "elmsworth-vale": {
        "section_heading": "Review of this notice",
        "find": "from time to time",
        "replace": "at least once a year",
        "summary": "Wording fix: we now say how often we review this notice.",
    },
}

# ---------------------------------------------------------------- trust templates (docs/decisions/0008)

# Template text names each school's own details with placeholders (notices.placeholders).
_SAIS_BODY = """NHS England pays **School Age Immunisation Services (SAIS)** to give children their vaccinations at school. Guidance the DfE published in December 2024 says schools must share information with them. When the SAIS team that visits {school_name} asks, we give them:

- a list of the pupils who can have a vaccination
- the contact details of each pupil's parents or carers

The SAIS team, not the school, asks for consent. Whether a child is vaccinated is decided between the pupil, their parent or carer and the team. Sharing the list is part of our public task, so it does not depend on consent. If you have a question about it, ask {dpl_name}."""

# Each trust's template: the school whose notice it is made from, then each release in order, with any trust
# items its draft gains before that release (`reason` goes in the draft's history) and the release's summary.
TEMPLATES = {
    "northfield": {
        "made_from": "hollybrook",
        "slug": "pupils-and-parents",
        "title": "Privacy notice for pupils and parents",
        "releases": [
            {
                "reason": "The trust's cashless catering contract",
                "add": {
                    "systems": [
                        {
                            "name": "Cashless catering",
                            "used_for": "Paying for food in the canteen from a pupil's account, with a PIN at the till",
                            "supplier": "CRB Cunninghams",
                            "outside_uk": False,
                            "safeguard": "",
                        }
                    ]
                },
                "summary": "The notice every Northfield school shares, made from Hollybrook Primary Academy's, with the trust's cashless catering system added.",
            },
            {
                "reason": "DfE guidance of December 2024 on school immunisations",
                "add": {
                    "recipients": [
                        {
                            "name": "School Age Immunisation Service (SAIS)",
                            "reason": "When the team asks: the list of pupils who can have a vaccination, and their parents' contact details. See 'Immunisations and vaccinations' below.",
                            "sharing": "on_request",
                            "legal_basis": "Public task; DfE guidance of December 2024",
                            "outside_uk": False,
                            "safeguard": "",
                        }
                    ],
                    "sections": [
                        {
                            "heading": "Immunisations and vaccinations",
                            "kind": "immunisations",
                            "placement": "after_sharing",
                            "body": _SAIS_BODY,
                        }
                    ],
                },
                "summary": "Added the School Age Immunisation Service, following DfE guidance of December 2024.",
            },
        ],
    },
    "elmsworth": {
        "made_from": "elmsworth-vale",
        "slug": "pupils-and-parents",
        "title": "Privacy notice for pupils, parents and carers",
        "releases": [
            {"summary": "The notice every Elmsworth school shares, made from Elmsworth Vale Academy's."},
        ],
    },
}

# What each school's DPL does once its notice follows the trust's first release: trust items it hides (the
# reason stays in the history) or words its own way, and its own additions. Then `summary` is what parents read
# of the version that brings the trust's latest release.
FOLLOWING = {
    "hollybrook": {
        "hide": [
            {
                "register": "systems",
                "label": "Cashless catering",
                "reason": "Hollybrook has no canteen tills: parents book and pay for school meals through ParentPay.",
            },
        ],
        "replace": [
            {
                "register": "systems",
                "label": "Library software",
                "values": {"supplier": "Junior Librarian, from Micro Librarian Systems"},
                "reason": "we name our library system",
            },
        ],
        "add": [
            {
                "register": "systems",
                "item": {
                    "name": "Times Tables Rock Stars",
                    "used_for": "Times tables practice at school and at home",
                    "supplier": "Maths Circle",
                    "outside_uk": False,
                    "safeguard": "",
                },
                "reason": "We started using Times Tables Rock Stars",
            },
        ],
        "summary": "We now use Northfield Learning Trust's shared notice. We added Times Tables Rock Stars and the name of our library system.",
    },
    "kingsmere": {
        "hide": [
            {
                "register": "systems",
                "label": "Reception Baseline (NFER)",
                "reason": "Kingsmere is a secondary school: it has no Reception class, so no Reception Baseline Assessment.",
            },
            {
                "register": "systems",
                "label": "Tapestry",
                "reason": "Tapestry is a learning journal for Reception, and Kingsmere has no Reception class.",
            },
            {
                "register": "systems",
                "label": "Bromcom",
                "reason": "Kingsmere keeps its pupil records in Arbor, not Bromcom.",
            },
            {
                "register": "recipients",
                "label": "NFER (Reception Baseline)",
                "reason": "No Reception Baseline Assessment at a secondary school, so nothing goes to NFER.",
            },
        ],
        "replace": [
            {
                "register": "systems",
                "label": "Exercise books and pupil work files",
                "values": {
                    "used_for": "Pupils' work on paper, kept in folders at school; GCSE coursework is kept until exam results are final"
                },
                "reason": "we keep GCSE coursework until results are final",
            },
        ],
        "add": [
            {
                "register": "sections",
                "item": {
                    "heading": "Exams and access arrangements",
                    "kind": "other",
                    "placement": "after_sharing",
                    "body": "When pupils sit GCSEs and other exams, we give the exam boards each candidate's name, date of birth and candidate number, and the boards send us the results. If a pupil needs access arrangements, such as extra time or a reader, we send the exam board the evidence for them. The Joint Council for Qualifications may inspect those records.",
                },
                "reason": "What we share with exam boards",
            },
        ],
        "summary": "We now use Northfield Learning Trust's shared notice. It adds our cashless catering system and explains what we share with exam boards.",
    },
    "elmsworth-vale": {
        "hide": [],
        "replace": [],
        "add": [
            {
                "register": "systems",
                "item": {
                    "name": "MyMaths",
                    "used_for": "Maths homework and practice",
                    "supplier": "Oxford University Press",
                    "outside_uk": False,
                    "safeguard": "",
                },
                "reason": "We started using MyMaths",
            },
        ],
        "summary": "We now use Elmsworth Academies Trust's shared notice, and we added MyMaths for maths homework.",
    },
}
