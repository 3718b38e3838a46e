"""The words of a published report, in Vietnamese and in English: one table for pages and files.

A report body (``casework.stats.indicators.build_report``) is keyed by internal codes — measure
ids (``new_cases``), column keys (``post_rehab``, ``female``, ``vocational_training``), table ids
(``by_unit``), period labels (``2026-Q1``). A report office hands in a file with none of those:
every key a person reads goes through this table, so the statistics page, the XLSX and the CSV
say the same thing, and a test can scan a Vietnamese workbook for every internal key.

Titles of indicators come from the report itself (each section carries ``title_vi`` and
``title_en``); this table adds what a file needs beyond them: a sheet name that fits Excel's 31
characters, and what the indicator means, in both languages. A section this table does not know
(a measure added later) still gets its title from the report and a sheet name cut from it.

How the figures were protected is one sentence the report carries once the protection method
says it (``protection_note``); until then ``DEFAULT_PROTECTION_NOTE`` stands, worded so it is
true of any method that hides or alters cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import workflows
from workflows.dates import VIETNAM
from workflows.declarations.common import STAGE_LABELS

LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class Words:
    """One thing said in both languages."""

    vi: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True)
class Indicator:
    sheet: Words  # ≤ 31 characters, none of Excel's forbidden ones
    means: Words


REPORT_TITLE = Words("Báo cáo thống kê hỗ trợ tái hòa nhập cộng đồng",
                     "Statistical report on community reintegration support")
MARKER_MEANS = Words("số liệu được bảo vệ, không công bố", "protected figure, not published")

DEFAULT_PROTECTION_NOTE = Words(
    "Số liệu đã được xử lý để không thể nhận biết bất kỳ cá nhân nào.",
    "Figures have been processed so that no individual can be identified.",
)
"""Shown when the report body carries no protection note of its own (see ``protection_note``)."""

FIELDS = {
    "unit": Words("Đơn vị", "Unit"),
    "unit_code": Words("Mã đơn vị", "Unit code"),
    "period": Words("Kỳ báo cáo", "Reporting period"),
    "produced": Words("Ngày lập", "Produced on"),
    "protection": Words("Bảo vệ số liệu", "Protection of figures"),
    "marker": Words("Ký hiệu", "Marker"),
    "case_type": Words("Loại đối tượng", "Case type"),
    "indicator": Words("Chỉ tiêu", "Indicator"),
    "unit_of_count": Words("Đơn vị tính", "Counted in"),
    "means": Words("Ý nghĩa", "What it counts"),
    "number": Words("STT", "No."),
    "sub_period": Words("Kỳ", "Period"),
    "stage": Words("Giai đoạn", "Stage"),
    "share_connected": Words("Tỷ lệ được kết nối dịch vụ (mục tiêu ≥ {target})",
                             "Share connected to the service (target ≥ {target})"),
    "median_days": Words("Trung vị số ngày ở giai đoạn", "Median days in the stage"),
    "general_notes": Words("Cách tính", "How figures are counted"),
    "indicators": Words("Các chỉ tiêu", "The indicators"),
}

SHEETS = {
    "cover": Words("Thông tin chung", "About"),
    "summary": Words("Tổng hợp", "Summary"),
    "notes": Words("Ghi chú", "Notes"),
}

TABLES = {
    "by_unit": Words("Theo đơn vị", "By unit"),
    "by_period": Words("Theo kỳ", "By period"),
    "by_stage": Words("Theo giai đoạn", "By stage"),
}

UNITS_OF_COUNT = {
    "cases": Words("hồ sơ", "cases"),
    "sessions": Words("buổi", "sessions"),
    "jobs": Words("việc làm", "jobs"),
    "loans": Words("khoản vay", "loans"),
    "events": Words("lượt", "events"),
    "people per kind of support": Words("người, theo từng loại hỗ trợ",
                                        "people, per kind of support"),
    "stays": Words("lượt", "stays"),
    "VND": Words("đồng", "VND"),
}

TOTAL = Words("Tổng cộng", "Total")

SEXES = {"female": Words("Nữ", "Female"), "male": Words("Nam", "Male"),
         "other": Words("Khác", "Other")}

AGE_BANDS = {
    "<18": Words("Dưới 18 tuổi", "Under 18"),
    "18-29": Words("18–29 tuổi", "18–29"),
    "30-44": Words("30–44 tuổi", "30–44"),
    "45+": Words("Từ 45 tuổi", "45 and over"),
    "unknown": Words("Không rõ", "Unknown"),
}

SUPPORT_KINDS = {
    "essentials": Words("Nhu cầu thiết yếu", "Essential needs"),
    "medical": Words("Chăm sóc y tế", "Medical care"),
    "interpreting": Words("Phiên dịch", "Interpreting"),
    "legal_information": Words("Thông tin pháp luật", "Legal information"),
    "legal_aid": Words("Trợ giúp pháp lý", "Legal aid"),
    "travel": Words("Đi lại", "Travel"),
    "psychological": Words("Hỗ trợ tâm lý", "Psychological support"),
    "schooling": Words("Học văn hóa", "Schooling"),
    "vocational_training": Words("Học nghề", "Vocational training"),
    "job_placement": Words("Giới thiệu việc làm", "Job placement"),
    "initial_allowance": Words("Trợ cấp khó khăn ban đầu", "Initial hardship allowance"),
    "loan": Words("Vay vốn", "Loan"),
    "housing": Words("Nhà ở", "Housing"),
    "identity_papers": Words("Giấy tờ tùy thân", "Identity papers"),
}


def _closed(reason_vi: str, reason_en: str, sheet_vi: str, sheet_en: str) -> Indicator:
    return Indicator(Words(f"Kết thúc - {sheet_vi}", f"Closed - {sheet_en}"),
                     Words(f"Hồ sơ được kết thúc trong kỳ với lý do: {reason_vi}.",
                           f"Cases closed in the period for this reason: {reason_en}."))


INDICATORS: dict[str, Indicator] = {
    "new_cases": Indicator(
        Words("Hồ sơ mới", "New cases"),
        Words("Số hồ sơ được mở trong kỳ, tính cho đơn vị nơi mở hồ sơ.",
              "Cases opened in the period, counted in the unit where they were opened.")),
    "new_cases_by_sex": Indicator(
        Words("Hồ sơ mới theo giới tính", "New cases by sex"),
        Words("Hồ sơ mới tiếp nhận trong kỳ, chia theo giới tính của người được hỗ trợ.",
              "New cases of the period by the sex of the person supported.")),
    "new_cases_by_age": Indicator(
        Words("Hồ sơ mới theo nhóm tuổi", "New cases by age"),
        Words("Hồ sơ mới tiếp nhận trong kỳ, chia theo tuổi khi mở hồ sơ (năm mở hồ sơ trừ năm "
              "sinh); “Không rõ” khi không có năm sinh.",
              "New cases of the period by age at opening (the opening year minus the birth "
              "year); “Unknown” when there is no birth year.")),
    "verified": Indicator(
        Words("Đã xác minh", "Verified"),
        Words("Số hồ sơ được xác minh trong kỳ (bằng số xác minh đúng hạn cộng quá hạn). Người "
              "bán dâm hoàn lương không có bước xác minh (thay bằng sự đồng ý tham gia) nên cột "
              "này luôn bằng 0.",
              "Cases verified in the period (verified in time plus verified late). Leaving sex "
              "work has no verification step (consent instead), so its column is always 0.")),
    "verified_in_time": Indicator(
        Words("Xác minh đúng hạn", "Verified in time"),
        Words("Xác minh xong trong thời hạn tính từ ngày tiếp nhận: 3 ngày với nạn nhân bị mua "
              "bán, 3 ngày làm việc với người chấp hành xong án phạt tù, 7 ngày với người sau "
              "cai nghiện ma túy.",
              "Verified within the deadline counted from intake: 3 days for trafficking "
              "victims, 3 working days after prison, 7 days after drug rehab.")),
    "verified_late": Indicator(
        Words("Xác minh quá hạn", "Verified late"),
        Words("Xác minh xong sau thời hạn nói trên.", "Verified after that deadline.")),
    "assessed": Indicator(
        Words("Đánh giá nhu cầu", "Needs assessed"),
        Words("Số hồ sơ được đánh giá nhu cầu và lập kế hoạch hỗ trợ trong kỳ.",
              "Cases whose needs were assessed and support plan made in the period.")),
    "counselling_started": Indicator(
        Words("Bắt đầu tư vấn", "Counselling started"),
        Words("Số hồ sơ bắt đầu giai đoạn tư vấn (pháp lý, tâm lý, sức khỏe) trong kỳ.",
              "Cases that entered counselling (legal, psychological, health) in the period.")),
    "counselling_sessions": Indicator(
        Words("Buổi tư vấn", "Counselling sessions"),
        Words("Số buổi tư vấn tâm lý, pháp lý, sức khỏe được ghi nhận trong kỳ.",
              "Psychological, legal and health counselling sessions recorded in the period.")),
    "training_started": Indicator(
        Words("Bắt đầu học nghề", "Training started"),
        Words("Số hồ sơ bắt đầu học nghề trong kỳ.",
              "Cases that entered vocational training in the period.")),
    "training_completed": Indicator(
        Words("Hoàn thành học nghề", "Training completed"),
        Words("Số hồ sơ hoàn thành học nghề trong kỳ.",
              "Cases that completed vocational training in the period.")),
    "job_found": Indicator(
        Words("Có việc làm", "Placed in a job"),
        Words("Số hồ sơ hoàn thành giai đoạn giới thiệu việc làm trong kỳ.",
              "Cases that completed the job placement stage in the period.")),
    "jobs_started": Indicator(
        Words("Việc làm mới", "Jobs started"),
        Words("Số việc làm bắt đầu trong kỳ, theo hồ sơ hỗ trợ việc làm.",
              "Jobs started in the period, from the job support records.")),
    "jobs_kept_3m": Indicator(
        Words("Duy trì việc làm 3 tháng", "Jobs kept 3 months"),
        Words("Số việc làm tròn 3 tháng trong kỳ và khi đó vẫn được duy trì.",
              "Jobs whose third month ended in the period and that were still held then.")),
    "jobs_kept_6m": Indicator(
        Words("Duy trì việc làm 6 tháng", "Jobs kept 6 months"),
        Words("Số việc làm tròn 6 tháng trong kỳ và khi đó vẫn được duy trì.",
              "Jobs whose sixth month ended in the period and that were still held then.")),
    "loans_referred": Indicator(
        Words("Giới thiệu vay vốn", "Loans referred"),
        Words("Số khoản vay được giới thiệu (hoặc bắt đầu) trong kỳ, bằng số được vay cộng số "
              "chưa hoặc không được vay.",
              "Loans referred (or started) in the period: granted plus not (yet) granted.")),
    "loans_granted": Indicator(
        Words("Được vay vốn", "Loans granted"),
        Words("Khoản vay đã được duyệt, đã giải ngân, đang trả hoặc đã trả xong.",
              "Loans approved, disbursed, being repaid or repaid.")),
    "loans_granted_amount": Indicator(
        Words("Số tiền được vay", "Loan amounts"),
        Words("Tổng số tiền (đồng) của các khoản vay được vay, được bảo vệ cùng với số khoản vay "
              "tương ứng.",
              "The sum (VND) of the loans granted, protected together with the number of "
              "loans behind it.")),
    "loans_not_granted": Indicator(
        Words("Chưa được vay", "Loans not granted"),
        Words("Khoản vay đã được giới thiệu nhưng chưa hoặc không được vay.",
              "Loans referred but not (yet) granted.")),
    "closed": Indicator(
        Words("Kết thúc hồ sơ", "Cases closed"),
        Words("Số hồ sơ được kết thúc trong kỳ, bằng tổng các lý do kết thúc.",
              "Cases closed in the period: the sum of the closure reasons.")),
    "closed_reintegrated": _closed("tái hòa nhập cộng đồng", "reintegrated",
                                   "tái hòa nhập", "reintegrated"),
    "closed_moved_away": _closed("chuyển đi nơi khác", "moved away", "chuyển đi", "moved away"),
    "closed_declined_support": _closed("từ chối hỗ trợ", "declined support",
                                       "từ chối hỗ trợ", "declined"),
    "closed_not_eligible": _closed("không đủ điều kiện hoặc không phải nạn nhân",
                                   "not eligible or not a victim",
                                   "không đủ điều kiện", "not eligible"),
    "closed_deceased": _closed("người được hỗ trợ đã qua đời", "the person died",
                               "đã qua đời", "deceased"),
    "closed_duplicate": _closed("trùng hồ sơ", "duplicate", "trùng hồ sơ", "duplicate"),
    "relapsed": Indicator(
        Words("Tái nghiện, tái phạm", "Relapsed, re-offended"),
        Words("Số lượt cơ quan có thẩm quyền kết luận tái nghiện (người sau cai nghiện) hoặc tái "
              "phạm (người chấp hành xong án phạt tù) trong kỳ.",
              "Findings by an authority of relapse (after drug rehab) or re-offence (after "
              "prison) in the period.")),
    "suspended": Indicator(
        Words("Tạm dừng", "Suspended"),
        Words("Số lượt tạm dừng hồ sơ trong kỳ, bằng số mất liên lạc cộng số tạm dừng vì lý do "
              "khác.",
              "Suspensions in the period: lost contact plus other reasons.")),
    "suspended_lost_contact": Indicator(
        Words("Mất liên lạc", "Lost contact"),
        Words("Tạm dừng vì mất liên lạc với người được hỗ trợ.",
              "Suspended because contact with the person was lost.")),
    "suspended_other": Indicator(
        Words("Tạm dừng lý do khác", "Suspended - other"),
        Words("Tạm dừng vì lý do khác (chuyển đi, bị tạm giữ, nằm viện...).",
              "Suspended for another reason (moved, detained, in hospital...).")),
    "transferred_in": Indicator(
        Words("Chuyển đến", "Transferred in"),
        Words("Hồ sơ chuyển đến đơn vị và đã được tiếp nhận. Hồ sơ chuyển giữa hai đơn vị trong "
              "cùng báo cáo được tính ở cả hai dòng, nên dòng tổng cộng là tổng các dòng.",
              "Cases transferred into the unit and accepted. A move between two rows of the "
              "report counts in both, so the total adds the rows.")),
    "transferred_out": Indicator(
        Words("Chuyển đi", "Transferred out"),
        Words("Hồ sơ chuyển đi đơn vị khác và đã được đơn vị đó tiếp nhận.",
              "Cases transferred to another unit and accepted there.")),
    "support_needed": Indicator(
        Words("Nhu cầu hỗ trợ", "Support needed"),
        Words("Số người có nhu cầu từng loại hỗ trợ trong kỳ (không tính nhu cầu bị từ chối); "
              "người cần hai loại hỗ trợ được tính hai lần ở cột tổng cộng.",
              "People with a need of each kind of support in the period (declined needs not "
              "counted); a person needing two kinds counts twice in the total.")),
    "support_connected": Indicator(
        Words("Được kết nối dịch vụ", "Connected to services"),
        Words("Số người có nhu cầu đã được giới thiệu, đang hoặc đã được hỗ trợ tính đến cuối "
              "kỳ; tỷ lệ so với số người có nhu cầu được so với mục tiêu 80%.",
              "People needing support who were referred, in progress or done by the end of the "
              "period; the share of those in need is set against the 80% target.")),
    "support_not_connected": Indicator(
        Words("Chưa được kết nối", "Not yet connected"),
        Words("Số người có nhu cầu nhưng chưa được kết nối dịch vụ tính đến cuối kỳ.",
              "People needing support not connected to it by the end of the period.")),
    "overdue": Indicator(
        Words("Hồ sơ quá hạn", "Overdue cases"),
        Words("Số hồ sơ đang mở đã quá hạn của giai đoạn hiện tại vào ngày cuối kỳ (hoặc ngày "
              "lập báo cáo nếu kỳ chưa kết thúc).",
              "Open cases past their current stage's due date on the last day of the period "
              "(or the day of the report if the period has not ended).")),
    "stage_stays": Indicator(
        Words("Thời gian theo giai đoạn", "Time per stage"),
        Words("Số lượt ở một giai đoạn kết thúc trong kỳ và trung vị số ngày ở giai đoạn đó "
              "(khi số lượt được công bố).",
              "Stays in a stage that ended in the period, and the median days in the stage "
              "(where the number of stays is published).")),
}

GENERAL_NOTES: tuple[Words, ...] = (
    Words("Báo cáo chỉ gồm số liệu tổng hợp; không có thông tin về bất kỳ cá nhân nào.",
          "The report holds aggregate figures only; nothing about any individual."),
    Words("Mỗi sự việc được tính cho đơn vị quản lý hồ sơ khi sự việc xảy ra, và cho kỳ chứa "
          "ngày xảy ra theo giờ Việt Nam; hồ sơ mới được tính cho đơn vị nơi mở hồ sơ.",
          "Each event counts for the unit holding the case when it happened and for the "
          "period holding its day in Vietnam time; a new case for the unit where it was opened."),
    Words("Số liệu tại một thời điểm (nhu cầu hỗ trợ, hồ sơ quá hạn) được tính vào ngày cuối kỳ, "
          "hoặc ngày lập báo cáo nếu kỳ chưa kết thúc.",
          "Figures at a point in time (support needs, overdue cases) are read on the last day "
          "of the period, or on the day of the report if the period has not ended."),
    Words("Dòng “(trực tiếp)”: hồ sơ thuộc trực tiếp đơn vị, không thuộc đơn vị cấp dưới nào.",
          "A “(directly)” row holds the cases of the unit itself, not of any unit below it."),
    Words("Người đã rút lại sự đồng ý cho mục đích thống kê vẫn được tính trong báo cáo định kỳ "
          "bắt buộc này, vì báo cáo chỉ có số liệu tổng hợp đã được bảo vệ.",
          "People who withdrew their consent to statistics are still counted in this mandated "
          "periodic report, which holds protected aggregates only."),
    Words("Số liệu ghi nhận tại đơn vị hành chính trước ngày 01/07/2025 (trước khi sắp xếp) "
          "không được tính vào đơn vị hiện hành.",
          "History recorded in a unit before the reform of 1 July 2025 is not counted in the "
          "current units."),
)

_ROMAN = ("I", "II", "III", "IV")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
_FORBIDDEN_IN_SHEET = re.compile(r"\s*[\[\]:*?/\\]+\s*")


def case_type_name(case_type: str, lang: str) -> str:
    try:
        return workflows.get_workflow(case_type).label(lang)
    except workflows.UnknownCaseType:
        return case_type


def column_name(column: dict[str, Any], lang: str) -> str:
    """A column header: case type, sex, age band, kind of support or total."""
    key = str(column.get("key", ""))
    if key == "total":
        return TOTAL(lang)
    for table in (SEXES, AGE_BANDS, SUPPORT_KINDS):
        if key in table:
            return table[key](lang)
    try:
        return workflows.get_workflow(key).label(lang)
    except workflows.UnknownCaseType:
        pass
    return str(column.get(f"label_{lang}") or column.get("label_vi") or key)


def stage_name(stage: str, lang: str) -> str:
    vi, en = STAGE_LABELS.get(stage, (stage, stage))
    return en if lang == "en" else vi


def unit_of_count(text: str, lang: str) -> str:
    words = UNITS_OF_COUNT.get(text)
    return words(lang) if words else text


def indicator_title(section: dict[str, Any], lang: str) -> str:
    return str(section.get(f"title_{lang}") or section.get("title_vi") or section["id"])


def indicator_means(section: dict[str, Any], lang: str) -> str:
    """What the indicator counts; a section unknown here falls back to its own (English)
    notes in the English file only, so the Vietnamese file never carries English."""
    known = INDICATORS.get(section["id"])
    if known:
        return known.means(lang)
    return " ".join(section.get("notes") or []) if lang == "en" else ""


def sheet_name(section: dict[str, Any], lang: str) -> str:
    known = INDICATORS.get(section["id"])
    return safe_sheet_name(known.sheet(lang) if known else indicator_title(section, lang))


def safe_sheet_name(text: str) -> str:
    """Excel's rules: at most 31 characters, none of ``[ ] : * ? / \\``, not blank."""
    cleaned = " ".join(_FORBIDDEN_IN_SHEET.sub(" - ", text).split()).strip("'")
    return cleaned[:31].rstrip(" -") or "-"


def period_name(label: str, lang: str) -> str:
    """``2026-03`` → "Tháng 03/2026" / "March 2026"; quarters, halves, years, date ranges."""
    if m := re.fullmatch(r"(\d{4})-(\d\d)", label):
        year, month = int(m[1]), int(m[2])
        return f"{_MONTHS_EN[month - 1]} {year}" if lang == "en" else f"Tháng {month:02d}/{year}"
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", label):
        return f"Q{m[2]} {m[1]}" if lang == "en" else f"Quý {_ROMAN[int(m[2]) - 1]}/{m[1]}"
    if m := re.fullmatch(r"(\d{4})-H([12])", label):
        if lang == "en":
            return f"{'First' if m[2] == '1' else 'Second'} half of {m[1]}"
        return f"6 tháng {'đầu' if m[2] == '1' else 'cuối'} năm {m[1]}"
    if re.fullmatch(r"\d{4}", label):
        return f"Year {label}" if lang == "en" else f"Năm {label}"
    if m := re.fullmatch(r"(\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d)", label):
        start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
        if lang == "en":
            return f"{show_day(start, lang)} – {show_day(end, lang)}"
        return f"Từ {show_day(start, lang)} đến {show_day(end, lang)}"
    return label


def period_span(period: dict[str, Any], lang: str) -> str:
    """The period's first and last day, as a report header prints them."""
    start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    if lang == "en":
        return f"{show_day(start, lang)} – {show_day(end, lang)}"
    return f"từ {show_day(start, lang)} đến {show_day(end, lang)}"


def show_day(day: date, lang: str) -> str:
    if lang == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1][:3]} {day.year}"
    return day.strftime("%d/%m/%Y")


def show_moment(iso: str, lang: str) -> str:
    """A stored UTC timestamp as the time in Vietnam."""
    moment = datetime.fromisoformat(iso).astimezone(VIETNAM)
    return f"{show_day(moment.date(), lang)} {moment:%H:%M}"


def protection_note(report: dict[str, Any], lang: str) -> str:
    """The one sentence saying how the figures were protected, in ``lang``.

    Read from the report when it says so — ``protection`` (or ``protection_note``), either a
    sentence (Vietnamese) or an object with ``note_vi``/``note_en`` (or ``vi``/``en``, or
    ``note``) — else ``DEFAULT_PROTECTION_NOTE``. An English file never prints a Vietnamese-only
    sentence: without an English one it says the default.
    """
    for field in ("protection", "protection_note"):
        given = report.get(field)
        if isinstance(given, str) and given.strip():
            if lang == "vi":
                return given.strip()
        elif isinstance(given, dict):
            for key in (f"note_{lang}", lang, *(("note",) if lang == "vi" else ())):
                text = given.get(key)
                if isinstance(text, str) and text.strip():
                    return text.strip()
    return DEFAULT_PROTECTION_NOTE(lang)
