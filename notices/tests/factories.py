"""A small, complete notice for tests, marked so each school's content is recognisable."""

import datetime


def notice_data(marker, *, slug="pupils-and-parents"):
    """Content that passes every completeness rule. `marker` appears in the school's own items."""
    return {
        "title": "Privacy notice for pupils and parents",
        "slug": slug,
        "audience": "pupils_parents",
        "summary": f"We hold information about pupils at {marker} to teach and keep them safe.",
        "contact_name": f"{marker} Data Lead",
        "contact_role": "Data Protection Lead",
        "contact_email": "dpl@school.example.org",
        "contact_phone": "",
        "review_by": datetime.date(2027, 9, 1),
        "categories": [
            {
                "name": "Personal information",
                "examples": "name, address",
                "special": False,
                "source": "previous school",
            },
            {"name": "Medical information", "examples": "allergies", "special": True, "source": ""},
        ],
        "bases": [
            {
                "key": "task",
                "title": "Running the school",
                "article6": "e",
                "article9": "",
                "legislation": "Education Act 1996",
                "explanation": "We need it to educate pupils.",
                "legitimate_interest": "",
                "special_categories": [],
            },
            {
                "key": "health",
                "title": "Keeping pupils healthy",
                "article6": "c",
                "article9": "g",
                "legislation": "Children and Families Act 2014",
                "explanation": "Supporting pupils with medical needs.",
                "legitimate_interest": "",
                "special_categories": ["Medical information"],
            },
        ],
        "purposes": [
            {"name": "To support pupil learning", "detail": "", "bases": ["task"]},
            {"name": "To look after pupils' health", "detail": "", "bases": ["health"]},
        ],
        "systems": [
            {
                "name": f"{marker} Records System",
                "used_for": "pupil records",
                "supplier": f"{marker} Ltd",
                "outside_uk": False,
                "safeguard": "",
            },
        ],
        "retention": [{"record_type": "Pupil record", "period": "Until the pupil is 25"}],
        "recipients": [
            {
                "name": "The Department for Education",
                "reason": "census returns",
                "sharing": "statutory",
                "legal_basis": "regulation 5 of the 2013 Regulations",
                "outside_uk": False,
                "safeguard": "",
            },
        ],
        "rights": [
            {"right": r, "how_to_exercise": f"Contact the {marker} Data Lead."}
            for r in ("access", "rectification", "erasure", "restriction", "objection", "complain_ico")
        ],
        "sections": [
            {
                "heading": "Collecting information",
                "kind": "collecting",
                "placement": "after_purposes",
                "body": "Most information is **required by law**; we tell you when it is optional.",
            },
            {
                "heading": "Where we get information from",
                "kind": "sources",
                "placement": "after_purposes",
                "body": "From your previous school and the local authority.",
            },
            {
                "heading": "Automated decisions",
                "kind": "automated_decisions",
                "placement": "after_rights",
                "body": "We do not make decisions by computer alone.",
            },
            {
                "heading": "How to complain",
                "kind": "complaints",
                "placement": "after_rights",
                "body": "Tell us first; we acknowledge complaints within 30 days. "
                "Then [contact the Information Commissioner's Office](https://ico.org.uk/concerns/).",
            },
        ],
    }
