package hugepages

import "testing"

func TestSkip(t *testing.T) {
	const madvise = "always [madvise] never\n"
	tests := []struct {
		name string
		s    settings
		want string
	}{
		{"madvise mode", settings{thpEnabled: madvise, overcommit: "0\n"}, ""},
		{"heuristic overcommit", settings{thpEnabled: madvise, overcommit: "1"}, ""},
		{"other GODEBUG settings", settings{goDebug: "gctrace=1, madvdontneed=1", thpEnabled: madvise}, ""},
		{"disablethp=0", settings{goDebug: "disablethp=0", thpEnabled: madvise}, ""},
		{"disablethp=1", settings{goDebug: "gctrace=1,disablethp=1", thpEnabled: madvise}, "GODEBUG=disablethp is set"},
		{"always", settings{thpEnabled: "[always] madvise never"}, "transparent huge pages are always for every mapping"},
		{"never", settings{thpEnabled: "always madvise [never]"}, "transparent huge pages are never for every mapping"},
		{"no sysfs file", settings{}, "transparent huge pages are not available"},
		{"unbracketed", settings{thpEnabled: "madvise"}, "transparent huge pages are not available"},
		{"strict overcommit", settings{thpEnabled: madvise, overcommit: "2\n"}, "the kernel's commit limit is strict (vm.overcommit_memory = 2)"},
	}
	for _, tt := range tests {
		if got := tt.s.skip(); got != tt.want {
			t.Errorf("%s: skip() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSelected(t *testing.T) {
	for in, want := range map[string]string{
		"always [madvise] never\n":                   "madvise",
		"[always] madvise never":                     "always",
		"always defer defer+madvise [madvise] never": "madvise",
		"":          "",
		"[unclosed": "",
	} {
		if got := selected(in); got != want {
			t.Errorf("selected(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStartWaitsOnce(t *testing.T) {
	wait := Start(0) // nothing to advise: Reserve returns at once
	first, second := wait(), wait()
	if first != second {
		t.Errorf("the wait's outcome changed between calls: %+v, then %+v", first, second)
	}
	if first.Advised != 0 || first.Skipped == "" {
		t.Errorf("Start(0) = %+v, want nothing advised and a reason", first)
	}
}
