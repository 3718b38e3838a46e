"""The programme pages: Vietnamese first, usable on a phone (plain fields), the same rules as
the API (field errors next to the field, nothing written)."""

from __future__ import annotations

from casework.model_base import vietnam_today
from casework.programme.models import Activity
from tests.services.conftest import count


def test_a_worker_records_a_campaign_on_the_activities_page(world, browser_for):
    browser = browser_for("worker_a")
    page = browser.text("/programme/activities")
    assert "Hoạt động tuyên truyền, tập huấn" in page and "Ghi nhận hoạt động" in page
    response = browser.submit("/programme/activities", "/programme/activities", {
        "unit": "00004", "kind": "campaign", "campaign_day": "hiv_1201", "topic": "hiv",
        "title": "Mít tinh hưởng ứng ngày 1/12", "held_on": vietnam_today().isoformat(),
        "members_reached": "250", "officials_reached": "12",
    })
    assert response.status_code == 302
    listed = browser.text("/programme/activities")
    assert "Mít tinh hưởng ứng ngày 1/12" in listed
    assert "Ngày Thế giới phòng, chống HIV/AIDS" in listed


def test_a_negative_count_is_shown_next_to_its_field_in_vietnamese(world, browser_for):
    browser = browser_for("worker_a")
    response = browser.submit("/programme/activities", "/programme/activities", {
        "unit": "00004", "kind": "communication", "topic": "drugs", "title": "Tuyên truyền",
        "held_on": vietnam_today().isoformat(), "members_reached": "-5",
    })
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="members_reached-error"' in html
    assert count(world, Activity) == 0


def test_the_page_is_in_english_second(world, browser_for):
    browser = browser_for("worker_a")
    browser.get("/lang/en?next=/programme/activities")
    assert "Communication and training activities" in browser.text("/programme/activities")


def test_roles_without_programme_work_do_not_get_the_page(world, browser_for):
    assert browser_for("auditor").get("/programme/activities").status_code == 403
    statistician = browser_for("statistician").text("/programme/activities")
    assert "Ghi nhận hoạt động" not in statistician  # reads, does not record


def test_a_worker_creates_a_club_and_records_its_meeting_on_the_group_page(world, browser_for):
    browser = browser_for("worker_a")
    assert "Câu lạc bộ và nhóm" in browser.text("/programme/groups")
    created = browser.submit("/programme/groups", "/programme/groups", {
        "unit": "00004", "kind": "club", "name": "CLB Sống khỏe",
    })
    assert created.status_code == 302
    group_url = created.headers["Location"]
    assert "CLB Sống khỏe" in browser.text(group_url)
    refused = browser.submit(group_url, group_url + "/meetings", {
        "held_on": vietnam_today().isoformat(), "topic": "drugs", "members_present": "-1",
    })
    assert refused.status_code == 422
    assert 'id="members_present-error"' in refused.get_data(as_text=True)
    done = browser.submit(group_url, group_url + "/meetings", {
        "held_on": vietnam_today().isoformat(), "topic": "drugs", "members_present": "0",
        "others_present": "15",
    })
    assert done.status_code == 302
    assert "Phòng, chống ma túy" in browser.text(group_url)


def test_a_commune_assesses_itself_and_the_province_confirms_on_the_ratings_page(
    world, browser_for
):
    commune = browser_for("supervisor_a")
    assert "Đánh giá, xếp loại xã" in commune.text("/programme/ratings")
    form = {"unit": "00004", "year": str(vietnam_today().year), "score_leadership": "15",
            "score_communication": "15", "score_no_new_cases": "20", "score_management": "20",
            "score_reintegration": "15", "score_models": "15", "hotspots": "drugs"}
    refused = commune.submit("/programme/ratings", "/programme/ratings",
                             {**form, "score_leadership": "99"})
    assert refused.status_code == 422
    assert 'id="score_leadership-error"' in refused.get_data(as_text=True)
    assert commune.submit("/programme/ratings", "/programme/ratings", form).status_code == 302
    province = browser_for("supervisor_province")
    page = province.text("/programme/ratings")
    assert "Trọng điểm về ma túy" in page
    year = vietnam_today().year
    done = province.submit("/programme/ratings", f"/programme/ratings/00004/{year}/review",
                           {"result": "good"})
    assert done.status_code == 302
    assert "Làm tốt công tác phòng, chống tệ nạn ma túy, mại dâm" in province.text(
        "/programme/ratings")
