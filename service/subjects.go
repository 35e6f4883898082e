package service

import (
	"sort"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Subjects are provinces, groups (regions, emulation clusters) and the nation ("VN"). The
// API shows each as a Province; a group or the nation is told apart by Kind, and its figure
// is its own published one, else its members combined (see figure).
const (
	kindNation = "nation"
	kindGroup  = "group"
)

// nationUnit stands for the whole country: its figure is the national one, published or
// combined from every unit of the map.
func nationUnit(m warehouse.Map) *warehouse.Province {
	return &warehouse.Province{ID: warehouse.NationalID, Map: m, Code: warehouse.NationalID, Name: "Việt Nam", NameASCII: "Viet Nam", Kind: kindNation}
}

func groupUnit(g *warehouse.Group) *warehouse.Province {
	return &warehouse.Province{ID: g.ID, Map: g.Map, Code: g.ID, Name: g.Name, NameASCII: warehouse.Fold(g.NameVI), Kind: kindGroup, Region: g.Kind}
}

// group finds a group by ID, with or without the "group:" prefix observations use.
func (s *Service) group(ref string) *warehouse.Group {
	return s.Catalog().Group(strings.TrimPrefix(ref, "group:"))
}

// aliases are names people type that the catalogue's names do not fold to.
var aliases = map[string]string{
	"hanoi": "ha noi", "ha noi city": "ha noi",
	"hcmc": "ho chi minh", "hcm": "ho chi minh", "tphcm": "ho chi minh", "tp hcm": "ho chi minh", "saigon": "ho chi minh",
	"sai gon": "ho chi minh", "ho chi minh city": "ho chi minh",
	"danang": "da nang", "haiphong": "hai phong", "cantho": "can tho", "hue": "thua thien hue",
}

// nameKey folds a name for matching: no diacritics, no case, no punctuation, and without
// the administrative prefix people add or drop ("TP", "Thành phố", "Tỉnh").
func nameKey(s string) string {
	f := warehouse.Fold(s)
	f = strings.Map(func(r rune) rune {
		if r == '-' || r == '.' || r == ',' || r == '–' || r == '(' || r == ')' {
			return ' '
		}
		return r
	}, f)
	f = strings.Join(strings.Fields(f), " ")
	for _, p := range []string{"thanh pho ", "tp ", "tinh ", "city of ", "province of "} {
		if strings.HasPrefix(f, p) {
			f = f[len(p):]
			break
		}
	}
	f = strings.TrimSuffix(strings.TrimSuffix(f, " province"), " city")
	if a, ok := aliases[f]; ok {
		return a
	}
	return f
}

// findProvince resolves a province by ID, code, name or a common alias, on map m (any map
// when m is "", the current map first: "HCMC" is the city of today's 34 units, not the
// pre-2025 one, unless map says otherwise). A province of the other map is not silently
// taken for one of m: it is an error naming both maps.
func (s *Service) findProvince(m warehouse.Map, arg, ref string) (*warehouse.Province, error) {
	if m == "" && s.Catalog().Province(ref) == nil {
		if p, err := s.findProvince(CurrentMap, arg, ref); err == nil {
			return p, nil
		}
	}
	cat := s.Catalog()
	p := cat.FindProvince(m, ref)
	if p == nil {
		key := nameKey(ref)
		for _, q := range cat.Provinces {
			if (m == "" || q.Map == m) && (nameKey(q.Name) == key || nameKey(q.NameASCII) == key) {
				p = cat.Province(q.ID)
				break
			}
		}
	}
	if p == nil {
		if m == "" {
			return nil, warehouse.Errorf(warehouse.ErrNotFound, "unknown province %q in %s", ref, arg)
		}
		return nil, warehouse.Errorf(warehouse.ErrNotFound, "unknown province %q on map %s in %s", ref, m, arg)
	}
	if m != "" && p.Map != m {
		return nil, warehouse.Errorf(warehouse.ErrInvalid, "%s: %s (%s) is on map %s, not %s; use map: %s or an ID of map %s",
			arg, p.ID, p.Name, p.Map, m, p.Map, m)
	}
	return p, nil
}

// CurrentMap is the map of today's provinces, which a name on both maps resolves to.
const CurrentMap = warehouse.VN34

// FindProvince is the API's province lookup (see findProvince).
func (s *Service) FindProvince(m warehouse.Map, ref string) (*warehouse.Province, error) {
	p, err := s.findProvince(m, "id", ref)
	if err != nil && warehouse.KindOf(err) == warehouse.ErrNotFound {
		return nil, nil // an unknown province is null, as a GraphQL lookup by ID is
	}
	return p, err
}

// subject resolves one reference to a unit: "VN", a group ID, or a province.
func (s *Service) subject(m warehouse.Map, arg, ref string) (*warehouse.Province, error) {
	if ref == warehouse.NationalID {
		return nationUnit(m), nil
	}
	if g := s.group(ref); g != nil {
		return groupUnit(g), nil
	}
	return s.findProvince(m, arg, ref)
}

// SearchProvinces returns the provinces whose names match text, best first: the whole name,
// then names starting with it, then names with a word starting with it, then names
// containing it; without diacritics, case or punctuation, and knowing common aliases. Last
// come the units of map m that a matching unit of the other map, whose name m lacks, became
// or came from, so "Bà Rịa–Vũng Tàu" on VN34 finds Hồ Chí Minh, the unit it was merged into.
func (s *Service) SearchProvinces(text string, m warehouse.Map, limit int) []*warehouse.Province {
	key := nameKey(text)
	if key == "" {
		return nil
	}
	type hit struct {
		p     *warehouse.Province
		score int
	}
	var hits []hit
	seen := map[string]bool{}
	cat := s.Catalog()
	for _, p := range cat.ProvincesOn(m) {
		if score := matchScore(p, key, text); score > 0 {
			hits = append(hits, hit{p, score})
			seen[p.ID] = true
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	// The lineage is read from the VN34 units' predecessors (both ways), so it needs no
	// Successors filled in. Only a unit whose name map m does not have leads on (Hải Phòng on
	// VN34 is also a unit of VN63: "ha" on VN63 must not list Hưng Yên, merged into it).
	names := map[string]bool{}
	for _, p := range cat.ProvincesOn(m) {
		names[nameKey(p.Name)] = true
	}
	var others []hit
	add := func(id string, via *warehouse.Province) {
		if names[nameKey(via.Name)] {
			return
		}
		score := matchScore(via, key, text)
		if p := cat.Province(id); p != nil && p.Map == m && !seen[id] && score > 0 {
			seen[id] = true
			others = append(others, hit{p, score})
		}
	}
	for _, u := range cat.ProvincesOn(warehouse.VN34) {
		for _, pred := range u.Predecessors {
			if q := cat.Province(pred); q != nil && m == warehouse.VN34 {
				add(u.ID, q)
			} else if m == warehouse.VN63 {
				add(pred, u)
			}
		}
	}
	sort.SliceStable(others, func(i, j int) bool { return others[i].score > others[j].score })
	hits = append(hits, others...)
	out := make([]*warehouse.Province, 0, min(len(hits), limit))
	for i := 0; i < len(hits) && i < limit; i++ {
		out = append(out, hits[i].p)
	}
	return out
}

// matchScore says how well a unit's name matches a search key: 4 the whole name (or the ID
// or code typed), 3 a prefix, 2 a word's start, 1 anywhere, 0 not at all.
func matchScore(p *warehouse.Province, key, text string) int {
	name := nameKey(p.Name)
	switch {
	case name == key || p.ID == text || p.Code == text:
		return 4
	case strings.HasPrefix(name, key):
		return 3
	case strings.Contains(" "+name, " "+key):
		return 2
	case strings.Contains(name, key):
		return 1
	}
	return 0
}

// members lists the units a group or the nation combines in a year: the group's members,
// or every unit of the map in force.
func (s *Service) members(u *warehouse.Province, mp warehouse.Map) []string {
	if u.Kind == kindGroup {
		if g := s.Catalog().Group(u.ID); g != nil {
			return g.Members
		}
		return nil
	}
	var ids []string
	for _, p := range s.Catalog().ProvincesOn(mp) {
		ids = append(ids, p.ID)
	}
	return ids
}
