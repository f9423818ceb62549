"""Recaps and reports (rekap harian, laporan bulanan), computed in the database.

`periods` turns a day or a month into each office's own UTC bounds, `figures` asks the database
for every figure with SQL aggregates, `charts`, `xlsx` and `pdf` present one report, and
`recap_mail` sends the daily recap on a schedule.
"""
