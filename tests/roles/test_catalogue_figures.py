"""The seeds' figures come back through the API exactly, from the committed fixtures."""

from decimal import Decimal

import pytest

from roles.models import Certification
from roles.selectors import certification_current_exam_fee
from tests.roles.helpers import api_url

pytestmark = pytest.mark.usefixtures("catalogue")

SEED_000 = "seed-000-biller-vs-coder"


def get(client, name, key=None, **query):
    response = client.get(api_url(name, key), query)
    assert response.status_code == 200, response.content
    return response.json()


def all_pages(client, name, **query):
    body = get(client, name, page_size=100, **query)
    assert body["next"] is None
    return body["results"]


def steps_table(path: dict) -> list[tuple]:
    return [
        (
            step["position"],
            step["name"],
            step["months_min"],
            step["months_max"],
            step["cost_min"],
            step["cost_max"],
            step["effort_quantity"],
            step["effort_unit"],
            [cert["code"] for cert in step["certifications"]],
        )
        for step in path["steps"]
    ]


def test_coder_prep_path_steps_and_totals(api_client):
    # when
    path = get(api_client, "training-path-detail", "coder-prep-path")

    # then
    assert path["title"] == "Coder Prep Path"
    assert path["role"]["slug"] == "medical-coder"
    assert path["source"]["slug"] == SEED_000
    assert steps_table(path) == [
        (1, "Foundations", 6, 9, "2000.00", "4000.00", None, "", []),
        (2, "Code Mastery", 3, 6, "1000.00", "2000.00", None, "", []),
        (3, "Practice", None, None, None, None, 150, "practice cases", []),
        (4, "Certification", 1, 2, "300.00", "600.00", None, "", ["CCS", "CPC"]),
    ]
    assert path["steps"][2]["effort_is_minimum"] is True  # "150+ cases"
    assert path["totals"] == {
        "cost": {"min": "3300.00", "max": "6600.00", "currency": "USD"},
        "months": {"min": 10, "max": 17},
        "other_effort": [{"quantity": 150, "unit": "practice cases", "is_minimum": True}],
    }


def test_biller_bootcamp_steps_and_totals(api_client):
    path = get(api_client, "training-path-detail", "biller-bootcamp")

    assert path["role"]["slug"] == "medical-biller"
    assert steps_table(path) == [
        (1, "Insurance 101", 4, 6, "1500.00", "3000.00", None, "", []),
        (2, "Claims Process", 2, 4, "800.00", "1500.00", None, "", []),
        (3, "Denial Combat", 3, 5, "1000.00", "2000.00", None, "", []),
        (4, "Certification", 1, 1, "200.00", "400.00", None, "", ["CPB"]),
    ]
    assert path["totals"] == {
        "cost": {"min": "3500.00", "max": "6900.00", "currency": "USD"},
        "months": {"min": 10, "max": 16},
        "other_effort": [],
    }


def test_training_path_list_includes_both_seed_paths_with_totals(api_client):
    paths = {path["slug"]: path for path in all_pages(api_client, "training-path-list")}

    assert paths["coder-prep-path"]["totals"]["cost"]["min"] == "3300.00"
    assert paths["biller-bootcamp"]["totals"]["months"] == {"min": 10, "max": 16}
    assert [s["position"] for s in paths["biller-bootcamp"]["steps"]] == [1, 2, 3, 4]


SALARY_TABLE_2025 = {
    "medical-coder": {
        "entry": ("38000.00", "45000.00"),
        "mid": ("48000.00", "58000.00"),
        "specialist": ("55000.00", "70000.00"),
        "manager": ("65000.00", "85000.00"),
    },
    "medical-biller": {
        "entry": ("35000.00", "42000.00"),
        "mid": ("45000.00", "52000.00"),
        "specialist": ("50000.00", "65000.00"),
        "manager": ("60000.00", "80000.00"),
    },
}


@pytest.mark.parametrize("role", sorted(SALARY_TABLE_2025))
def test_2025_salary_table_by_level(api_client, role):
    bands = all_pages(api_client, "salary-band-list", role=role, source=SEED_000)

    table = {band["level"]: (band["amount_min"], band["amount_max"]) for band in bands}
    assert table == SALARY_TABLE_2025[role]
    assert {(band["as_of"], band["currency"], band["period"]) for band in bands} == {
        (2025, "USD", "year")
    }
    assert {band["level_label"] for band in bands if band["level"] == "mid"} == {"3-5 years"}


def test_hybrid_premium_per_level_and_niche_bonuses(api_client):
    hybrid = get(api_client, "role-detail", "coder-biller")
    premiums = {
        (p["level"], p["qualifier"]): (p["amount_min"], p["amount_max"], p["percent"])
        for p in hybrid["salary_premiums"]
    }
    assert premiums == {
        ("entry", "hybrid role premium"): ("3000.00", "5000.00", None),
        ("mid", "hybrid role premium"): ("5000.00", "8000.00", None),
        ("specialist", "hybrid role premium"): ("7000.00", "10000.00", None),
        ("manager", "hybrid role premium"): ("8000.00", "12000.00", None),
        ("all", "professionals mastering both roles"): (None, None, "25.00"),
    }
    assert {p["source"]["slug"] for p in hybrid["salary_premiums"]} == {SEED_000}

    oncology = get(api_client, "role-detail", "specialty-coder")["salary_premiums"]
    assert [(p["qualifier"], p["amount_min"], p["amount_max"]) for p in oncology] == [
        ("oncology coders", "8000.00", "12000.00")
    ]
    medicare = get(api_client, "role-detail", "medical-biller")["salary_premiums"]
    assert [(p["qualifier"], p["amount_min"], p["amount_max"]) for p in medicare] == [
        ("Medicare billers", "5000.00", "5000.00")
    ]


def single_figures(client, role: str) -> dict[tuple[str, str], tuple]:
    bands = all_pages(client, "salary-band-list", role=role, level="all")
    return {
        (band["source"]["slug"], band["qualifier"]): (
            band["amount_min"],
            band["amount_max"],
            band["median"],
            band["average"],
            band["as_of"],
        )
        for band in bands
    }


def test_bls_aapc_and_other_seeds_figures_are_separate_sourced_rows(api_client):
    coder = single_figures(api_client, "medical-coder")
    biller = single_figures(api_client, "medical-biller")
    hybrid = single_figures(api_client, "coder-biller")
    bls = ("bls-oews-may-2024-29-2072", "SOC 29-2072 Medical Records Specialists")

    assert coder == {
        bls: (None, None, "50250.00", None, 2024),
        ("aapc-salary-survey-2025", "CPC-certified"): (None, None, None, "58895.00", 2025),
        ("seed-001-coder-vs-biller-differences", ""): (None, None, None, "54972.00", None),
        (
            "seed-002-medtransic-coder-vs-biller",
            "with specialized certifications (CPC-A, CCS)",
        ): ("45000.00", "65000.00", None, None, None),
    }
    assert biller == {
        bls: (None, None, "50250.00", None, 2024),
        ("aapc-salary-survey-2025", "CPB-certified"): (None, None, None, "56981.00", 2025),
        ("seed-001-coder-vs-biller-differences", ""): (None, None, None, "41777.00", None),
        ("seed-002-medtransic-coder-vs-biller", ""): ("38000.00", "52000.00", None, None, None),
    }
    assert hybrid == {
        bls: (None, None, "50250.00", None, 2024),
        ("aapc-salary-survey-2025", "three or more certifications"): (
            None,
            None,
            None,
            "84414.00",
            2025,
        ),
    }


def test_bls_source_names_the_period_and_soc_code(api_client):
    sources = {s["slug"]: s for s in all_pages(api_client, "source-list")}
    bls = sources["bls-oews-may-2024-29-2072"]
    assert (bls["year"], bls["as_of"], bls["kind"]) == (2024, "May 2024", "government")
    assert "29-2072" in bls["title"]


def test_specialized_coder_and_rcm_manager_open_ended_ranges(api_client):
    specialists = all_pages(api_client, "salary-band-list", level="specialist")
    seed_003 = {
        band["role"]: (band["amount_min"], band["amount_max"], band["max_is_open_ended"])
        for band in specialists
        if band["source"]["slug"] == "seed-003-billing-vs-coding"
    }
    assert seed_003 == {
        "coding-auditor": ("70000.00", "85000.00", True),
        "inpatient-coder": ("70000.00", "85000.00", True),
        "risk-adjustment-coder": ("70000.00", "85000.00", True),
    }
    rcm = all_pages(api_client, "salary-band-list", role="rcm-manager")
    assert [
        (b["level"], b["amount_min"], b["amount_max"], b["max_is_open_ended"]) for b in rcm
    ] == [("manager", "65000.00", "90000.00", True)]


def route_slugs(paths: dict) -> list[list[str]]:
    return [[role["slug"] for role in route["roles"]] for route in paths["routes"]]


def test_coder_advancement_map_and_ccs_crossover(api_client):
    paths = get(api_client, "role-paths", "medical-coder")

    assert sorted(route_slugs(paths)) == [
        ["medical-coder", "clinical-documentation-specialist"],
        ["medical-coder", "specialty-coder", "coding-auditor", "compliance-director"],
    ]
    crossover = next(r for r in paths["routes"] if len(r["roles"]) == 2)
    assert crossover["steps"][0]["kind"] == "crossover"
    assert crossover["steps"][0]["enabling_certification"]["code"] == "CCS"
    assert [c["code"] for c in crossover["crossover_certifications"]] == ["CCS"]
    assert [c["code"] for c in paths["crossover_certifications"]] == ["CCS"]


def test_biller_climb_and_cpb_crossover(api_client):
    paths = get(api_client, "role-paths", "medical-biller")

    assert sorted(route_slugs(paths)) == [
        ["medical-biller", "ar-specialist", "billing-supervisor", "revenue-cycle-director"],
        ["medical-biller", "revenue-integrity-analyst"],
    ]
    assert [c["code"] for c in paths["crossover_certifications"]] == ["CPB"]


def test_hybrid_reaches_both_ladders(api_client):
    paths = get(api_client, "role-paths", "coder-biller")

    assert len(paths["routes"]) == 4
    assert {route[-1] for route in route_slugs(paths)} == {
        "compliance-director",
        "clinical-documentation-specialist",
        "revenue-cycle-director",
        "revenue-integrity-analyst",
    }
    assert {c["code"] for c in paths["crossover_certifications"]} == {"CCS", "CPB"}


def test_top_of_a_ladder_has_no_routes(api_client):
    assert get(api_client, "role-paths", "compliance-director")["routes"] == []


def test_role_detail_lists_next_steps_and_where_each_leads(api_client):
    coder = get(api_client, "role-detail", "medical-coder")

    assert {(s["to_role"]["slug"], s["kind"]) for s in coder["next_steps"]} == {
        ("specialty-coder", "promotion"),
        ("clinical-documentation-specialist", "crossover"),
    }
    assert coder["previous_steps"][0]["from_role"]["slug"] == "coder-biller"
    assert {path["slug"] for path in coder["training_paths"]} == {"coder-prep-path"}
    assert {c["code"] for c in coder["certifications"]} >= {"CPC", "CCS", "COC"}
    remote = {(s["percent"], s["source"]["slug"]) for s in coder["statistics"]}
    assert ("73.00", SEED_000) in remote
    assert ("64.80", "aapc-salary-survey-2025") in remote
    assert coder["soc_code"] == "29-2072"


def test_cpc_exam_formats_keep_both_sources_and_mark_the_current_one(api_client):
    cpc = get(api_client, "certification-detail", "cpc")

    formats = {
        (f["source"]["slug"], f["questions"], f["duration_minutes"], f["is_current"])
        for f in cpc["exam_formats"]
    }
    assert formats == {
        ("aapc-cpc-exam-faq", 100, 240, True),
        ("seed-003-billing-vs-coding", 150, 340, False),
    }
    assert cpc["current_fee"]["amount"] == "399.00"
    assert {(f["label"], f["amount"], f["is_current"]) for f in cpc["fees"]} == {
        ("one attempt", "399.00", True),
        ("two attempts", "499.00", True),
        ("member", "300.00", False),
    }


def test_cpb_current_and_older_formats(api_client):
    cpb = get(api_client, "certification-detail", "CPB")
    formats = {
        (f["questions"], f["duration_minutes"], f["is_current"]) for f in cpb["exam_formats"]
    }
    assert formats == {(135, 240, True), (200, 340, False)}


def test_renewal_rules_and_fees_from_reference(api_client):
    ccs = get(api_client, "certification-detail", "ccs")
    assert {(f["label"], f["amount"]) for f in ccs["fees"]} == {
        ("member", "299.00"),
        ("non-member", "399.00"),
    }
    assert [(r["cycle_months"], r["source"]["slug"]) for r in ccs["renewals"]] == [
        (24, "ahima-ccs")
    ]
    cca = get(api_client, "certification-detail", "CCA")
    assert [
        (f["questions"], f["scored_questions"], f["duration_minutes"]) for f in cca["exam_formats"]
    ] == [(105, 90, 120)]
    cbcs = get(api_client, "certification-detail", "cbcs")
    assert cbcs["current_fee"]["amount"] == "117.00"
    assert len([f for f in cbcs["exam_formats"] if f["is_current"]]) == 2  # a marked conflict


def test_certification_current_exam_fee_selector_returns_the_lowest_current_fee():
    cpc = Certification.objects.get(code="CPC")
    ccs = Certification.objects.get(code="CCS")
    no_fee = Certification.objects.get(code="CRC")

    assert certification_current_exam_fee(certification=cpc) == Decimal("399.00")
    assert certification_current_exam_fee(certification=ccs) == Decimal("299.00")
    assert certification_current_exam_fee(certification=no_fee) is None


def test_certification_filters_by_body_and_role(api_client):
    ahima = all_pages(api_client, "certification-list", body="AHIMA")
    assert {c["code"] for c in ahima} == {"CCA", "CCS", "CCS-P", "RHIA", "RHIT"}
    assert all_pages(api_client, "certification-list", body="ahima") == ahima  # any case
    billers = all_pages(api_client, "certification-list", role="medical-biller")
    assert {c["code"] for c in billers} == {"CPB", "CBCS", "CMRS"}


def test_tools_with_cost_and_cadence(api_client):
    tools = {
        t["slug"]: (t["cost_min"], t["cost_max"], t["cadence"], t["family"])
        for t in all_pages(api_client, "tool-list")
    }
    assert tools == {
        "encoder-software": ("100.00", "300.00", "per_month", "coding"),
        "medical-dictionary": ("75.00", "150.00", "one_time", "coding"),
        "dual-monitors": ("300.00", "600.00", "one_time", "coding"),
        "code-books": ("250.00", "250.00", "per_year", "coding"),
        "clearinghouse-access": ("0.25", "0.75", "per_claim", "billing"),
        "denial-dashboard": ("50.00", "150.00", "per_month", "billing"),
        "payer-directories": ("100.00", "300.00", "per_year", "billing"),
        "payment-poster": ("75.00", "200.00", "per_month", "billing"),
    }


def test_required_roles_exist_with_their_families(api_client):
    roles = {r["slug"]: r["family"] for r in all_pages(api_client, "role-list")}
    assert (
        roles.items()
        >= {
            "medical-coder": "coding",
            "medical-biller": "billing",
            "coder-biller": "hybrid",
            "specialty-coder": "coding",
            "coding-auditor": "coding",
            "compliance-director": "leadership",
            "ar-specialist": "billing",
            "billing-supervisor": "leadership",
            "revenue-cycle-director": "leadership",
            "revenue-integrity-analyst": "billing",
            "clinical-documentation-specialist": "coding",
            "risk-adjustment-coder": "coding",
            "rcm-manager": "leadership",
            "inpatient-coder": "coding",
            "outpatient-coder": "coding",
            "claims-specialist": "billing",
        }.items()
    )


def test_role_list_filters_by_family_and_searches_skills(api_client):
    hybrid = all_pages(api_client, "role-list", family="hybrid")
    assert [r["slug"] for r in hybrid] == ["coder-biller"]
    cpb_holders = all_pages(api_client, "role-list", certification="cpb")
    assert {r["slug"] for r in cpb_holders} == {
        "medical-biller",
        "coder-biller",
        "revenue-integrity-analyst",
    }

    by_skill = all_pages(api_client, "role-list", search="ERA/EOB")
    assert [r["slug"] for r in by_skill] == ["medical-biller"]
    by_title = all_pages(api_client, "role-list", search="auditor")
    assert [r["slug"] for r in by_title] == ["coding-auditor"]


def test_compare_coder_and_biller_side_by_side(api_client):
    body = get(api_client, "role-compare", roles="medical-coder,medical-biller")

    coder, biller = body["roles"]
    assert (coder["slug"], biller["slug"]) == ("medical-coder", "medical-biller")
    assert (coder["primary_focus"], biller["primary_focus"]) == (
        "Clinical documentation accuracy",
        "Claims payment optimization",
    )
    assert coder["key_tools"] == ["ICD-10-CM", "CPT code sets"]
    assert biller["daily_stress"] == "Denied claims and appeals"
    assert (coder["work_product"], biller["work_product"]) == (
        "Clean claim with proper codes",
        "Paid claim with optimal reimbursement",
    )
    assert (coder["ai_impact"], biller["ai_impact"]) == ("medium", "high")
    assert (coder["survival_skill"], biller["hot_skill"]) == (
        "Clinical judgment nuance",
        "RCM system optimization",
    )
    assert coder["training"][0]["totals"]["cost"] == {
        "min": "3300.00",
        "max": "6600.00",
        "currency": "USD",
    }
    levels = [group["level"] for group in coder["salary_by_level"]]
    assert levels == ["entry", "mid", "specialist", "manager", "all"]
    entry = coder["salary_by_level"][0]["items"]
    assert [(b["amount_min"], b["amount_max"]) for b in entry] == [("38000.00", "45000.00")]
    assert {s["percent"] for s in coder["remote_share"]} == {"73.00", "64.80"}
    assert {c["code"] for c in biller["certifications"]} >= {"CPB", "CBCS"}
    assert {s["to_role"]["slug"] for s in biller["next_steps"]} == {
        "ar-specialist",
        "revenue-integrity-analyst",
    }
    factor_keys = [f["key"] for f in body["factors"]]
    assert factor_keys[:3] == ["primary_focus", "key_tools", "daily_stress"]
    assert set(factor_keys) <= set(coder)  # every row of the table is a field of each column


def test_compare_keeps_the_requested_order_for_four_roles(api_client):
    slugs = ["rcm-manager", "coder-biller", "medical-biller", "medical-coder"]
    body = get(api_client, "role-compare", roles=",".join(slugs))
    assert [column["slug"] for column in body["roles"]] == slugs


def test_head_answers_like_get_without_a_body(api_client):
    get_response = api_client.get(api_url("role-detail", "medical-coder"))
    head_response = api_client.head(api_url("role-detail", "medical-coder"))
    assert head_response.status_code == 200
    assert head_response.content == b""
    assert head_response["ETag"] == get_response["ETag"]
