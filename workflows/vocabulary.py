"""Labels for the coded choices events ask for, in Vietnamese and English.

Codes are stored (and counted in statistics); labels are only for people, so
they live here and can change without a migration.
"""

from __future__ import annotations

CHOICE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "victim_status": {
        "under_identification": ("Đang xác minh, xác định", "Under identification"),
        "confirmed": ("Đã xác định là nạn nhân", "Confirmed victim"),
        "not_a_victim": ("Không phải nạn nhân", "Not a victim"),
    },
    "rehab_kind": {
        "voluntary": ("Cai nghiện tự nguyện", "Voluntary rehab"),
        "substitution": ("Điều trị thay thế", "Substitution therapy"),
        "minor": ("Người chưa thành niên", "Minor"),
        "compulsory": ("Cai nghiện bắt buộc (người thành niên)", "Compulsory rehab (adult)"),
    },
    "classification": {
        "A": ("A – ổn định", "A – stable"),
        "B": ("B – khó khăn", "B – hardship"),
        "C": ("C – có nguy cơ vi phạm", "C – at risk"),
        "D": ("D – đang bị tạm giữ, tạm giam", "D – detained"),
    },
    "suspension_reason": {
        "lost_contact": ("Mất liên lạc", "Lost contact"),
        "moved": ("Chuyển đi nơi khác", "Moved away"),
        "detained": ("Bị tạm giữ, tạm giam", "Detained"),
        "hospitalised": ("Đang điều trị tại cơ sở y tế", "Hospitalised"),
        "other": ("Lý do khác", "Other"),
    },
    "closure_reason": {
        "reintegrated": ("Đã tái hòa nhập cộng đồng", "Reintegrated"),
        "moved_away": ("Chuyển đi nơi khác", "Moved away"),
        "declined_support": ("Từ chối hỗ trợ", "Declined support"),
        "not_eligible": ("Không đủ điều kiện / không phải nạn nhân", "Not eligible / not a victim"),
        "deceased": ("Đã chết", "Deceased"),
        "duplicate": ("Hồ sơ trùng", "Duplicate"),
    },
}


def choice_label(field_name: str, code: str, lang: str = "vi") -> str:
    """The label of `code` for a choice field; the code itself when unlabelled."""
    labels = CHOICE_LABELS.get(field_name, {}).get(code)
    if labels is None:
        return code
    return labels[0] if lang == "vi" else labels[1]
