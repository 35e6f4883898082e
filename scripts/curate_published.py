#!/usr/bin/env python3
"""Builds data/observations.csv, data/targets.csv and the press/official rows of
data/sources.csv from ../shared/reference/published-facts.csv.

Every row is mapped by hand below (line number in published-facts.csv -> subject, metric,
period, qualifier, status, numerator/denominator when printed). Values, quotes and notes are
copied verbatim from the reference table; nothing is typed in twice. Rows that fit no metric
are listed in SKIPPED with the reason. Run once after editing the mapping; the CSVs are the
data of record and are committed.
"""
import csv, os, sys

REF = os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'reference', 'published-facts.csv')
OUT = os.path.join(os.path.dirname(__file__), '..', 'data')

SEED = {'000_956c432e1109a31a.txt': 'seed-000', '001_a8f0a175735bcb91.txt': 'seed-001', '002_3b8cab99224b3311.txt': 'seed-002',
        '003_332de9990b80702e.txt': 'seed-003', '004_e785305fd75415ab.txt': 'seed-004'}
# Press and official sources: id, title (the reference's own citation), issuer, date, kind.
PRESS = {
    "hoilhpn (Vietnam Women's Union), 30/10/2020": ('press-hoilhpn-2020', "Vietnam Women's Union (hoilhpn), 30/10/2020", "Vietnam Women's Union (Hội LHPN Việt Nam)", '2020-10-30', 'press'),
    'hoilhpn, 30/10/2020': ('press-hoilhpn-2020', None, None, None, None),
    'VietnamPlus (French edition), 10/2020': ('press-vietnamplus-fr-2020', 'VietnamPlus (French edition), 10/2020', 'VietnamPlus (TTXVN)', '2020-10', 'press'),
    'VietnamPlus infographic 353099, 2015': ('press-vietnamplus-353099', 'VietnamPlus infographic 353099, 2015', 'VietnamPlus (TTXVN)', '2015', 'press'),
    'baocantho, 11/12/2016': ('press-baocantho-2016', 'Báo Cần Thơ, 11/12/2016', 'Báo Cần Thơ', '2016-12-11', 'press'),
    '127/493; dbqh.na.gov.vn': ('press-dbqh-xii', 'National Assembly deputies database (dbqh.na.gov.vn): 127/493 women, term XII', 'Office of the National Assembly', '', 'press'),
    'Tiền Phong': ('press-tienphong-na-xiii', 'Tiền Phong: women in the XIII National Assembly', 'Báo Tiền Phong', '', 'press'),
    'VietnamPlus 626544 (UNDP gives 26,8%)': ('press-vietnamplus-626544', 'VietnamPlus article 626544 (women in the XIV National Assembly)', 'VietnamPlus (TTXVN)', '', 'press'),
    '151/499; dbqh.quochoi.vn': ('press-dbqh-xv', 'National Assembly deputies database (dbqh.quochoi.vn): 151/499 women, term XV', 'Office of the National Assembly', '', 'press'),
    'vwu.vn': ('press-vwu-na-xv', "Vietnam Women's Union (vwu.vn): deputies of the XV National Assembly", "Vietnam Women's Union", '', 'press'),
    'Vietnam Law Magazine': ('press-vnlawmag-pc-2021', "Vietnam Law Magazine: People's Council deputies, 2021-2026 term", 'Vietnam Law Magazine', '2021', 'press'),
    'VietnamPlus 2016; baocantho': ('press-vietnamplus-baocantho-2016', "VietnamPlus 2016 and Báo Cần Thơ: provincial People's Council results, 2016-2021 term", 'VietnamPlus (TTXVN); Báo Cần Thơ', '2016', 'press'),
    'VietnamPlus': ('press-vietnamplus-payroll', 'VietnamPlus: payroll reductions 2015-2018', 'VietnamPlus (TTXVN)', '', 'press'),
    'Báo Thái Bình 20/12/2023 citing TTXVN': ('press-baothaibinh-2023', 'Báo Thái Bình, 20/12/2023, citing TTXVN', 'Báo Thái Bình', '2023-12-20', 'press'),
    'btctu.binhthuan.dcs.vn': ('press-btctu-binhthuan', 'Bình Thuận Provincial Party Organisation Board website (btctu.binhthuan.dcs.vn)', 'Bình Thuận Provincial Party Organisation Board', '', 'press'),
    'Kết luận 40-KL/TW, 18/7/2022 (infographics.vn, TTXVN)': ('official-kl40-2022', 'Kết luận 40-KL/TW (18/7/2022) as published by infographics.vn (TTXVN)', 'Politburo (Bộ Chính trị)', '2022-07-18', 'official'),
    'Kết luận 40-KL/TW': ('official-kl40-2022', None, None, None, None),
    'Chỉ thị 35-CT/TW, 30/5/2019 (plo.vn)': ('official-ct35-2019', 'Chỉ thị 35-CT/TW (30/5/2019) as reported by plo.vn', 'Politburo (Bộ Chính trị)', '2019-05-30', 'official'),
    'kinhtedothi 15/5/2015; hoilhpn 30/10/2020': ('official-female-committee-target', 'Target of at least 15% women in party committees, as reported by kinhtedothi (15/5/2015) and hoilhpn (30/10/2020)', 'Politburo (Bộ Chính trị)', '2015-05-15', 'official'),
    'Vietnam Law Magazine; USSH/UNDP 2021': ('official-nq26-female-deputies', 'Nghị quyết 26-NQ/TW target for women deputies, as cited by Vietnam Law Magazine and USSH/UNDP (2021)', 'Party Central Committee', '2021', 'official'),
    'VOV; baodautu; ubmttq.dongnai; baotuyenquang; VietnamPlus/Dân trí': ('press-bualiemvang', 'Reports on the national Golden Hammer and Sickle (Búa liềm vàng) press award (VOV, Báo Đầu tư, ubmttq.dongnai, Báo Tuyên Quang, VietnamPlus/Dân trí)', 'VOV; Báo Đầu tư; Báo Tuyên Quang; VietnamPlus; Dân trí', '', 'press'),
}
EXTRA_SOURCES = [('synthetic', 'Synthetic data from cadrestat synth (deterministic, seeded): not a published figure', 'cadrestat', '', 'synthetic'), ('press-undp-na-xiv', 'UNDP figure for women in the XIV National Assembly, as cited beside VietnamPlus 626544', 'UNDP Viet Nam', '', 'press')]

S = 'group:south-vdp3'
U = 'group:unnamed-002'
# line -> (subject, metric, period, qualifier, status, numerator, denominator, value override)
M = {
    2: (S, 'committee_members_assigned', '2021'), 3: (S, 'standing_committee_members_assigned', '2021'),
    4: (S, 'voter_turnout', '2021', 'LOWER_BOUND'), 5: (S, 'na_deputies_elected', 'term:2021-2026'),
    6: (S, 'na_deputies_introduced_by_centre', 'term:2021-2026'), 7: (S, 'pc_provincial_deputies_elected', 'term:2021-2026'),
    8: (S, 'pc_provincial_seats_unfilled', 'term:2021-2026'), 9: (S, 'pc_district_deputies_elected', 'term:2021-2026'),
    10: (S, 'pc_commune_deputies_elected', 'term:2021-2026'),
    11: ('VN63-92', 'party_units_removed', 'range:2015-2021'), 12: ('VN63-92', 'department_leaders_reduced', 'range:2015-2021'),
    13: ('VN63-92', 'division_units_removed', 'range:2015-2021'), 14: ('VN63-92', 'staff_cut', 'range:2015-2021'),
    15: ('VN63-82', 'department_units_removed', '2021'), 16: ('VN63-82', 'department_leaders_reduced', '2021'),
    17: ('VN63-82', 'division_units_removed', '2021'), 18: ('VN63-82', 'division_leaders_reduced', '2021'),
    19: ('VN63-72', 'staff_cut', 'range:2015-2021'), 20: ('VN63-72', 'staff_cut_plan_pct', 'range:2015-2021'),
    24: (U, 'succession_planning_cadres', 'term:2020-2025'), 25: (U, 'training_attendances', 'term:2015-2020'),
    26: (U, 'female_committee_share_all_levels', 'term:2020-2025'), 27: (U, 'female_pc_share_all_levels', 'term:2021-2026'),
    33: ('VN63-51', 'new_members', '2023'), 34: ('VN63-51', 'new_members_share_of_membership', '2023', 'LOWER_BOUND'),
    35: ('VN63-51', 'new_members_plan_pct', '2023', 'EXACT', 'DERIVED'),
    36: ('VN63-51', 'ehandbook_registered_members', 'asof:2023-12-10'), 37: ('VN63-51', 'party_members_total', 'asof:2023-12-10'),
    38: ('VN63-51', 'nonstate_party_orgs_founded', '2023'), 39: ('VN63-51', 'political_standard_conclusions', '2023'),
    40: ('VN63-51', 'cadres_advanced_theory_training', '2023'), 41: ('VN63-51', 'cadres_other_training', '2023'),
    42: ('VN63-51', 'young_cadres_rotated_to_commune', '2023'), 43: ('VN63-51', 'cadres_transferred_rotated', '2023'),
    45: ('VN63-51', 'press_award_entries', '2023'), 47: ('VN63-51', 'cadres_trained_internal_protection', '2023'),
    49: ('VN63-51', 'succession_planning_cadres', '2023', 'EXACT', 'DERIVED'),
    51: ('VN63-79', 'cadres_transferred_appointed', '2020'), 52: ('VN63-79', 'committee_members_appointed', '2020'),
    53: ('VN63-79', 'cadres_reassigned', '2020'), 54: ('VN63-79', 'cadres_reappointed', '2020'),
    55: ('VN63-79', 'cadres_nominated_for_election', '2020'), 56: ('VN63-79', 'cadres_advanced_theory_fulltime', '2020'),
    57: ('VN63-79', 'cadres_advanced_theory_parttime', '2020'),
    59: ('VN', 'female_provincial_committee_share', 'term:2020-2025'), 60: ('VN63-08', 'female_provincial_committee_share', 'term:2020-2025'),
    62: ('VN', 'female_provincial_committee_share', 'term:2020-2025', 'EXACT', 'PROVISIONAL', 400, 2468, None, 'press-vietnamplus-fr-2020'),
    63: ('VN63-24', 'female_provincial_committee_share', 'term:2015-2020'), 64: ('VN63-10', 'female_provincial_committee_share', 'term:2015-2020'),
    65: ('VN63-27', 'female_provincial_committee_share', 'term:2015-2020'), 66: ('VN63-54', 'female_provincial_committee_share', 'term:2015-2020'),
    67: ('VN63-15', 'female_provincial_committee_share', 'term:2015-2020'), 68: ('VN63-22', 'female_provincial_committee_share', 'term:2015-2020'),
    69: ('VN63-04', 'female_provincial_committee_share', 'term:2015-2020'), 70: ('VN63-68', 'female_provincial_committee_share', 'term:2015-2020'),
    71: ('VN63-14', 'female_provincial_committee_share', 'term:2015-2020'), 72: ('VN63-91', 'female_provincial_committee_share', 'term:2015-2020'),
    73: ('VN63-79', 'female_provincial_committee_share', 'term:2015-2020'),
    74: ('VN63-92', 'female_provincial_committee_share', 'term:2015-2020', 'EXACT', 'PUBLISHED', 8, None),
    75: ('VN', 'provincial_committee_members_elected', 'term:2015-2020'),
    76: ('VN', 'female_na_share', 'term:2007-2011', 'EXACT', 'PUBLISHED', 127, 493), 77: ('VN', 'female_na_share', 'term:2011-2016'),
    78: ('VN', 'female_na_share', 'term:2016-2021'), 79: ('VN', 'female_na_share', 'term:2021-2026', 'EXACT', 'PUBLISHED', 151, 499),
    80: ('VN', 'youth_na_share', 'term:2021-2026'),
    81: ('VN', 'female_pc_provincial_share', 'term:2021-2026'), 82: ('VN', 'female_pc_district_share', 'term:2021-2026'),
    83: ('VN', 'female_pc_commune_share', 'term:2021-2026'),
    84: ('VN63-02', 'female_pc_provincial_share', 'term:2016-2021', 'EXACT', 'PUBLISHED', 20, 60),
    85: ('VN63-86', 'female_pc_provincial_share', 'term:2016-2021', 'EXACT', 'PUBLISHED', 14, 50),
    86: ('VN63-24', 'female_pc_provincial_share', 'term:2016-2021', 'EXACT', 'PUBLISHED', 18, 85),
    87: ('VN63-92', 'female_pc_provincial_share', 'term:2016-2021', 'EXACT', 'PUBLISHED', 13, 55),
    88: ('VN', 'people_cut_from_payroll', 'range:2015-2018'), 89: ('VN', 'people_cut_from_payroll', '2023'),
    90: ('VN63-60', 'new_members', '2017'), 91: ('VN63-60', 'new_members', '2019'),
    97: ('VN', 'press_award_entries', '2016'), 98: ('VN', 'press_award_entries', '2018'), 99: ('VN', 'press_award_entries', '2019'),
    100: ('VN', 'press_award_entries', '2021'), 101: ('VN', 'press_award_entries', '2022'), 102: ('VN', 'press_award_entries', '2023'),
    103: ('VN', 'press_award_entries', '2024'), 104: ('VN', 'press_award_entries', '2025'),
}
# Row 61 names four provinces below 10%: one upper-bound observation each.
BELOW10 = {61: ['VN63-44', 'VN63-92', 'VN63-80', 'VN63-68']}
SKIPPED = {
    21: 'defines the membership of Emulation Cluster No. 5 (data/groups.csv), not a statistic',
    22: 'economic growth: not a personnel metric', 23: 'economic growth: not a personnel metric',
    44: '"42 units of 46" held confidence votes: no metric for it yet (needs an issue)',
    46: 'awards to collectives and individuals: no metric for it yet', 48: 'clearances to go abroad: no metric for it yet',
    58: 'certificates of merit: no metric for it yet',
}
# target line -> (id, metric, lower, upper, lower_incl, upper_incl, deadline, directive)
T = {
    28: ('t-002-young-provincial', 'young_cadres_provincial_managed_share', 10, None, True, False, 2030, 'provincial target (source 002)', 'group:unnamed-002'),
    29: ('t-002-young-district', 'young_cadres_district_key_share', 15, None, True, False, 2030, 'provincial target (source 002)', 'group:unnamed-002'),
    30: ('t-002-female-committee', 'female_committee_share_all_levels', 20, 25, True, True, 2030, 'provincial target (source 002)', 'group:unnamed-002'),
    31: ('t-002-female-pc', 'female_pc_share_all_levels', 35, None, False, False, 2030, 'provincial target (source 002)', 'group:unnamed-002'),
    50: ('t-003-staff-cut', 'staff_cut_share', 5, None, True, False, 2026, 'Kết luận 40-KL/TW, applied by Quảng Ngãi', 'VN63-51'),
    92: ('t-kl40-staff-cut', 'staff_cut_share', 5, None, True, False, 2026, 'Kết luận 40-KL/TW (18/7/2022)', 'VN'),
    93: ('t-nq39-staff-cut', 'staff_cut_share', 10, None, True, False, 2021, 'Nghị quyết 39-NQ/TW (as cited in Kết luận 40-KL/TW)', 'VN'),
    94: ('t-ct35-youth-committee', 'youth_provincial_committee_share', 10, None, True, False, 2020, 'Chỉ thị 35-CT/TW (30/5/2019)', 'VN'),
    95: ('t-female-committee-15', 'female_provincial_committee_share', 15, None, True, False, 2020, 'Politburo directive on the 2020-2025 congresses (Chỉ thị 35-CT/TW; wording as in Chỉ thị 36)', 'VN'),
    96: ('t-nq26-female-deputies', 'female_na_share', 35, None, False, False, 2030, 'Nghị quyết 26-NQ/TW', 'VN'),
}
T_EXTRA_SCOPE = {96: [('t-nq26-female-pc-provincial', 'female_pc_provincial_share')]}
# Row 32 ("at least one woman in every standing committee") is a rule, not a numeric bound.

# Where the reference's quote is not one contiguous passage of the seed file, the verbatim
# fragment is cited and the note says how the sentence continues.
QUOTE_OVERRIDE = {
    38: ('toàn tỉnh đã phát triển 07 tổ chức cơ sở',
         'the sentence continues after footnotes 2-4 of the report as "đảng trong khu vực ngoài nhà nước"'),
}

def quote_of(line, r):
    if line in QUOTE_OVERRIDE:
        q, extra = QUOTE_OVERRIDE[line]
        return q, (extra + '; ' + r['note']).strip('; ')
    q = r['quote']
    if r['source_kind'] != 'seed' and not q.startswith('('):
        q = '(press) ' + q  # the reference's press quotes are paraphrases; mark every one
    return q, r['note']

def num(v):
    return v.lstrip('<>=')

def main():
    rows = list(csv.DictReader(open(REF, encoding='utf-8')))
    def src(r):
        if r['source'] in SEED:
            return SEED[r['source']]
        return PRESS[r['source']][0]
    obs = []
    for line, spec in sorted(M.items()):
        r = rows[line - 2]
        spec = list(spec) + [None] * (9 - len(spec))
        subj, metric, period, qual, status, n, d, override, srcid = spec
        value = override if override is not None else num(r['value'])
        q, note = quote_of(line, r)
        obs.append([subj, metric, period, value, n if n is not None else '', d if d is not None else '', qual or 'EXACT', status or 'PUBLISHED',
                    srcid or src(r), q, note])
    for line, subjects in BELOW10.items():
        r = rows[line - 2]
        for s in subjects:
            obs.append([s, 'female_provincial_committee_share', 'term:2020-2025', '10', '', '', 'UPPER_BOUND', 'PUBLISHED', src(r), r['quote'], r['note']])
    # The conflicting UNDP figure beside row 78 (both are kept; the preference rule picks one).
    r = rows[78 - 2]
    obs.append(['VN', 'female_na_share', 'term:2016-2021', '26.8', '', '', 'EXACT', 'PUBLISHED', 'press-undp-na-xiv', r['quote'], 'conflicts with 26.72 (VietnamPlus 626544)'])
    with open(os.path.join(OUT, 'observations.csv'), 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['subject', 'metric', 'period', 'value', 'numerator', 'denominator', 'qualifier', 'status', 'source', 'quote', 'note'])
        w.writerows(obs)
    with open(os.path.join(OUT, 'targets.csv'), 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['id', 'metric', 'scope', 'lower', 'upper', 'lower_inclusive', 'upper_inclusive', 'deadline', 'directive', 'source', 'quote', 'note'])
        for line, (tid, metric, lo, hi, li, ui, dl, directive, scope) in sorted(T.items()):
            r = rows[line - 2]
            targets = [(tid, metric)] + T_EXTRA_SCOPE.get(line, [])
            for tid2, metric2 in targets:
                w.writerow([tid2, metric2, scope, lo, '' if hi is None else hi, str(li).lower(), str(ui).lower(), dl, directive, src(r), r['quote'], r['note']])
    seen = set()
    # sources.csv: the hand-written seed rows (ids seed-*) are kept, the rest rewritten.
    path = os.path.join(OUT, 'sources.csv')
    keep = [l for l in open(path, encoding='utf-8').read().splitlines() if l.startswith('id,') or l.startswith('seed-')]
    with open(path, 'w', newline='', encoding='utf-8') as f:
        f.write('\n'.join(keep) + '\n')
        w = csv.writer(f, lineterminator='\n')
        for key, (sid, title, issuer, date, kind) in PRESS.items():
            if title is None or sid in seen:
                continue
            seen.add(sid)
            w.writerow([sid, title, issuer, '', date, 'vi', key, kind, 'cited from a public stored copy; quote is a paraphrase marked (press)'])
        for sid, title, issuer, date, kind in EXTRA_SOURCES:
            if kind == 'synthetic':
                w.writerow([sid, title, issuer, '', date, 'en', 'generated', kind, 'synthetic: never shown unless a query asks'])
            else:
                w.writerow([sid, title, issuer, '', date, 'en', 'VietnamPlus 626544 (UNDP gives 26,8%)', kind, 'figure cited beside VietnamPlus 626544'])
    print(len(obs), 'observations;', sum(1 + len(T_EXTRA_SCOPE.get(l, [])) for l in T), 'targets; skipped', sorted(SKIPPED), file=sys.stderr)

main()
