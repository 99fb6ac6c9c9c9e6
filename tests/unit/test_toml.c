#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "toml.h"

static struct toml *
parse(const char *s)
{
	struct toml *t = toml_parse(s, strlen(s), "t.toml");

	if (!t)
		fail_msg("unexpected parse error: %s", err_get());
	return t;
}

static void
tables_and_keys(void **state)
{
	struct toml *t, *v;

	(void)state;
	t = parse("# comment\n"
		  "top = \"x\"  # trailing\n"
		  "[package]\n"
		  "name = \"demo\"\n"
		  "version.workspace = true\n"
		  "\"quoted.key\" = 1\n"
		  "'lit' = 2\n"
		  "[ target . 'cfg(unix)' . dependencies ]\n"
		  "libc = { version = \"0.2\", features = [\"std\"] }\n"
		  "[[bin]]\n"
		  "name = \"a\"\n"
		  "[[bin]]\n"
		  "name = \"b\"\n"
		  "[bin.extra]\n"
		  "x = 1\n");
	assert_string_equal(toml_str(t, "top"), "x");
	assert_string_equal(toml_str(t, "package.name"), "demo");
	v = toml_get(t, "package.version.workspace");
	assert_non_null(v);
	assert_int_equal(v->type, TOML_BOOL);
	assert_int_equal(v->i, 1);
	assert_int_equal(toml_key(toml_key(t, "package"), "quoted.key")->i, 1);
	assert_int_equal(toml_get(t, "package.lit")->i, 2);
	v = toml_key(toml_get(t, "target"), "cfg(unix)");
	assert_non_null(v);
	assert_string_equal(toml_str(v, "dependencies.libc.version"), "0.2");
	assert_string_equal(toml_get(v, "dependencies.libc.features")->kid[0]->str, "std");
	v = toml_key(t, "bin");
	assert_int_equal(v->type, TOML_ARRAY);
	assert_int_equal(v->n, 2);
	assert_string_equal(toml_str(v->kid[0], "name"), "a");
	assert_string_equal(toml_str(v->kid[1], "name"), "b");
	/* [bin.extra] goes into the last element of the array of tables */
	assert_int_equal(toml_get(v->kid[1], "extra.x")->i, 1);
	assert_null(toml_get(t, "package.nope"));
	assert_null(toml_get(t, "top.x"));
	assert_null(toml_str(t, "package"));
	/* entries keep source order */
	assert_string_equal(toml_key(t, "package")->kid[0]->key, "name");
	assert_string_equal(toml_key(t, "package")->kid[1]->key, "version");
	toml_free(t);
}

static void
scalars(void **state)
{
	struct toml *t;

	(void)state;
	t = parse("a = 42\nb = -17\nc = +3\nd = 1_000_000\ne = 0xdead_BEEF\n"
		  "f = 0o755\ng = 0b1010\nh = 0\ni = true\nj = false\n"
		  "k = 1.5\nl = -2e3\nm = 6.02E+2_3\nn = inf\no = -0.0\n"
		  "p = 9223372036854775807\nq = -9223372036854775808\n");
	assert_int_equal(toml_get(t, "a")->i, 42);
	assert_int_equal(toml_get(t, "b")->i, -17);
	assert_int_equal(toml_get(t, "c")->i, 3);
	assert_int_equal(toml_get(t, "d")->i, 1000000);
	assert_int_equal(toml_get(t, "e")->i, 0xdeadbeef);
	assert_int_equal(toml_get(t, "f")->i, 0755);
	assert_int_equal(toml_get(t, "g")->i, 10);
	assert_int_equal(toml_get(t, "h")->i, 0);
	assert_int_equal(toml_get(t, "i")->type, TOML_BOOL);
	assert_int_equal(toml_get(t, "i")->i, 1);
	assert_int_equal(toml_get(t, "j")->i, 0);
	assert_int_equal(toml_get(t, "k")->type, TOML_FLOAT);
	assert_true(toml_get(t, "k")->f == 1.5);
	assert_true(toml_get(t, "l")->f == -2000.0);
	assert_true(toml_get(t, "m")->f > 6e23);
	assert_true(toml_get(t, "n")->f > 1e308);
	assert_int_equal(toml_get(t, "p")->i, 9223372036854775807LL);
	assert_true(toml_get(t, "q")->i < 0);
	toml_free(t);
}

static void
strings(void **state)
{
	struct toml *t;

	(void)state;
	t = parse("a = \"tab\\tnl\\nq\\\"bs\\\\u\\u00e9U\\U0001F600\"\n"
		  "b = 'C:\\no\\escape'\n"
		  "c = \"\"\"\nfirst\nsecond\"\"\"\n"
		  "d = \"\"\"one \\\n     two \\\n\n  three\"\"\"\n"
		  "e = '''\nraw \\n ''line'' '''\n"
		  "f = \"\"\"\"quoted\"\"\"\"\n"
		  "g = ''''two'''''\n"
		  "h = \"\"\n"
		  "i = \"nul\\u0000in\"\n"
		  "j = \"\"\"a\r\nb\"\"\"\n");
	assert_string_equal(toml_str(t, "a"), "tab\tnl\nq\"bs\\u\xc3\xa9U\xf0\x9f\x98\x80");
	assert_string_equal(toml_str(t, "b"), "C:\\no\\escape");
	assert_string_equal(toml_str(t, "c"), "first\nsecond");
	assert_string_equal(toml_str(t, "d"), "one two three");
	assert_string_equal(toml_str(t, "e"), "raw \\n ''line'' ");
	assert_string_equal(toml_str(t, "f"), "\"quoted\"");
	assert_string_equal(toml_str(t, "g"), "'two''");
	assert_string_equal(toml_str(t, "h"), "");
	assert_int_equal(toml_get(t, "i")->len, 6);
	assert_memory_equal(toml_get(t, "i")->str, "nul\0in", 6);
	assert_string_equal(toml_str(t, "j"), "a\r\nb");
	toml_free(t);
}

static void
arrays_and_inline(void **state)
{
	struct toml *t, *v;

	(void)state;
	t = parse("members = [\n  \"a\", # first\n  # alone\n  \"b\",\n]\n"
		  "empty = [ ]\nnested = [[1, 2], [\"x\"], []]\n"
		  "mixed = [1, 'two', { three = 3 }]\n"
		  "dep = { path = \"../x\", version = \"1\", a.b = true }\n"
		  "none = {}\n");
	v = toml_get(t, "members");
	assert_int_equal(v->n, 2);
	assert_string_equal(v->kid[1]->str, "b");
	assert_int_equal(toml_get(t, "empty")->n, 0);
	v = toml_get(t, "nested");
	assert_int_equal(v->n, 3);
	assert_int_equal(v->kid[0]->kid[1]->i, 2);
	assert_int_equal(toml_get(t, "mixed")->kid[2]->type, TOML_TABLE);
	assert_int_equal(toml_get(toml_get(t, "mixed")->kid[2], "three")->i, 3);
	assert_string_equal(toml_str(t, "dep.path"), "../x");
	assert_int_equal(toml_get(t, "dep.a.b")->i, 1);
	assert_int_equal(toml_get(t, "none")->type, TOML_TABLE);
	toml_free(t);
}

static void
valid_edge_cases(void **state)
{
	static const char *const ok[] = {
		"",
		"\n\n# only comments\n",
		("\xef\xbb\xbf" "a = 1\n"),
		"a = 1\r\nb = 2\r\n",
		"a = 1", /* no final newline */
		"[x.y]\n[x]\nz = 1\n", /* super table defined after */
		"[fruit]\napple.color = 1\n[fruit.apple.texture]\nsmooth = true\n",
		"[[a]]\n[[a]]\n[a.b]\n[[a.c]]\n",
		"a.b.c = 1\na.b.d = 2\na.e = 3\n",
		"k = \"\\u00E9\" # caf\xc3\xa9\n",
		"1234 = 'bare digits key'\n- = 1\n_ = 2\n",
		"s = \"\"\"\\\n   \"\"\"\n",
	};
	struct toml *t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		t = toml_parse(ok[i], strlen(ok[i]), "t.toml");
		if (!t)
			fail_msg("case %zu rejected: %s", i, err_get());
		toml_free(t);
	}
}

static void
errors(void **state)
{
	/* input, expected message (exactly, so the line is pinned too) */
	static const char *const bad[][2] = {
		{"a = 1\na = 2\n", "t.toml:2: duplicate key 'a'"},
		{"[a]\n[a]\n", "t.toml:2: table 'a' defined twice"},
		{"a.b = 1\n[a]\n", "t.toml:2: table 'a' defined twice"},
		{"[a.b]\n[a]\nb.c = 1\n", "t.toml:3: cannot add keys to 'b': it is already defined"},
		{"a = {x = 1}\na.y = 2\n", "t.toml:2: cannot add keys to 'a': it is already defined"},
		{"a = {x = 1}\n[a.b]\n", "t.toml:2: key 'a' is already defined as a table"},
		{"[a]\n[[a]]\n", "t.toml:2: key 'a' is already defined as a table"},
		{"[[a]]\n[a]\n", "t.toml:2: table 'a' is already an array of tables"},
		{"a = [1]\n[[a]]\n", "t.toml:2: key 'a' is already defined as a array"},
		{"a = 1\n[a.b]\n", "t.toml:2: key 'a' is already defined as a integer"},
		{"d = 1979-05-27\n", "t.toml:1: date-time values are not supported"},
		{"d = 07:32:00\n", "t.toml:1: date-time values are not supported"},
		{"s = \"bad \\x escape\"\n", "t.toml:1: invalid escape '\\x'"},
		{"s = \"\\ud800\"\n", "t.toml:1: \\u escape is not a Unicode scalar value"},
		{"s = \"\\u12\"\n", "t.toml:1: bad \\u escape: expected 4 hex digits"},
		{"\n\ns = \"open\n", "t.toml:3: newline in a one-line string"},
		{"s = 'open", "t.toml:1: unterminated string"},
		{"s = \"\"\"open\n\n", "t.toml:3: unterminated string"},
		{"s = \"\"\"x\"\"\"\"\"\"\n", "t.toml:1: too many quotes ending a string"},
		{"t = {a = 1,\nb = 2}\n", "t.toml:1: expected a key"},
		{"t = {a = 1\n}\n", "t.toml:1: newline in an inline table"},
		{"t = {a = 1,}\n", "t.toml:1: expected a key, found '}'"},
		{"a = [1 2]\n", "t.toml:1: expected ',' or ']' in array, found '2'"},
		{"a = [1,\n", "t.toml:2: unterminated array"},
		{"a = 01\n", "t.toml:1: invalid value: 01"},
		{"a = 1__0\n", "t.toml:1: invalid value: 1__0"},
		{"a = 1_\n", "t.toml:1: invalid value: 1_"},
		{"a = 0x\n", "t.toml:1: invalid value: 0x"},
		{"a = -0x10\n", "t.toml:1: invalid value: -0x10"},
		{"a = 1.\n", "t.toml:1: invalid value: 1."},
		{"a = .5\n", "t.toml:1: invalid value: .5"},
		{"a = 1e\n", "t.toml:1: invalid value: 1e"},
		{"a = tru\n", "t.toml:1: invalid value: tru"},
		{"a = 9223372036854775808\n", "t.toml:1: integer out of range: 9223372036854775808"},
		{"a = \n", "t.toml:1: expected a value"},
		{"a = # c\n", "t.toml:1: expected a value"},
		{"a\n", "t.toml:1: expected '=' after key 'a'"},
		{"= 1\n", "t.toml:1: expected a key, found '='"},
		{"a = 1 b = 2\n", "t.toml:1: expected end of line, found 'b'"},
		{"[a\n", "t.toml:1: expected ']' to close the table header"},
		{"[[a]\n", "t.toml:1: expected ']]' to close the table header"},
		{"[a] x = 1\n", "t.toml:1: expected end of line, found 'x'"},
		{"a = 1\n\x01\n", "t.toml:2: control character 0x01"},
		{"a = \"\x7f\"\n", "t.toml:1: control character 0x7f"},
		{"a = 1\rb = 2\n", "t.toml:1: carriage return without newline"},
		{"a = \"\xc3\x28\"\n", "t.toml:1: invalid UTF-8"},
		{"a = \"\xed\xa0\x80\"\n", "t.toml:1: invalid UTF-8"},
		{"a = \"\xc0\xaf\"\n", "t.toml:1: invalid UTF-8"},
		{"a = \"\xf0\x9f\x98\"", "t.toml:1: invalid UTF-8"},
		{"\"\"\"a\"\"\" = 1\n", "t.toml:1: multi-line string not allowed here"},
		{"\"a\\u0000\" = 1\n", "t.toml:1: key contains a NUL character"},
	};
	struct toml *t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		err_clear();
		t = toml_parse(bad[i][0], strlen(bad[i][0]), "t.toml");
		if (t)
			fail_msg("case %zu accepted: %s", i, bad[i][0]);
		if (strcmp(err_get(), bad[i][1]))
			fail_msg("case %zu: got '%s', want '%s'", i, err_get(), bad[i][1]);
	}
}

static void
depth_limit(void **state)
{
	char s[400];
	size_t i;
	struct toml *t;

	(void)state;
	memcpy(s, "a = ", 4);
	for (i = 0; i < 100; i++)
		s[4 + i] = '[';
	for (i = 0; i < 100; i++)
		s[104 + i] = ']';
	s[204] = '\0';
	assert_null(toml_parse(s, strlen(s), "deep.toml"));
	assert_string_equal(err_get(), "deep.toml:1: values nested too deeply");
	/* well below the limit is fine */
	t = toml_parse("a = [[[[[[1]]]]]]\n", 18, "ok.toml");
	assert_non_null(t);
	toml_free(t);
	/* a length, not NUL, ends the text */
	assert_null(toml_parse("a = 1\0b = 2\n", 12, "nul.toml"));
	assert_string_equal(err_get(), "nul.toml:1: control character 0x00");
	t = toml_parse("a = 1\0garbage", 5, "len.toml");
	assert_non_null(t);
	toml_free(t);
}

static void
spans_and_splice(void **state)
{
	static const char src[] =
		"[package]\n"
		"name = \"x\" # keep me\n"
		"version = \"1.2.3\"\n"
		"[dependencies]\n"
		"y = { path = \"../y\", version = '1.2' }\n";
	struct toml *t, *v, *w;
	struct toml_edit e[2];
	struct buf out = {0};

	(void)state;
	t = parse(src);
	v = toml_get(t, "package.version");
	w = toml_get(t, "dependencies.y.version");
	assert_int_equal(v->line, 3);
	assert_int_equal(w->line, 5);
	assert_memory_equal(src + v->beg, "\"1.2.3\"", v->end - v->beg);
	assert_memory_equal(src + w->beg, "'1.2'", w->end - w->beg);
	assert_memory_equal(src + toml_get(t, "dependencies.y")->beg, "{ path",
			    6);
	assert_memory_equal(src + toml_key(t, "dependencies")->beg, "[dependencies]",
			    toml_key(t, "dependencies")->end - toml_key(t, "dependencies")->beg);
	/* edits in any order */
	e[0].beg = w->beg, e[0].end = w->end, e[0].text = "\"0.0.0\"";
	e[1].beg = v->beg, e[1].end = v->end, e[1].text = "\"0.0.0\"";
	assert_int_equal(toml_splice(src, strlen(src), e, 2, &out), 0);
	assert_string_equal(out.s, "[package]\n"
				   "name = \"x\" # keep me\n"
				   "version = \"0.0.0\"\n"
				   "[dependencies]\n"
				   "y = { path = \"../y\", version = \"0.0.0\" }\n");
	/* overlapping edits are refused */
	out.len = 0;
	e[0].beg = v->beg, e[0].end = v->end;
	e[1].beg = v->beg + 1, e[1].end = v->end;
	assert_int_equal(toml_splice(src, strlen(src), e, 2, &out), -1);
	e[0].end = strlen(src) + 1;
	assert_int_equal(toml_splice(src, strlen(src), e, 1, &out), -1);
	/* no edits: the same bytes */
	out.len = 0;
	assert_int_equal(toml_splice(src, strlen(src), NULL, 0, &out), 0);
	assert_string_equal(out.s, src);
	buf_free(&out);
	toml_free(t);
	assert_string_equal(toml_type_name(TOML_ARRAY), "array");
	toml_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tables_and_keys),
		cmocka_unit_test(scalars),
		cmocka_unit_test(strings),
		cmocka_unit_test(arrays_and_inline),
		cmocka_unit_test(valid_edge_cases),
		cmocka_unit_test(errors),
		cmocka_unit_test(depth_limit),
		cmocka_unit_test(spans_and_splice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
