"""The programme work around the cases (issue 21): coded support schemes, communication and
training activities, groups, commune ratings, the report calendar. See docs/programme.md."""
