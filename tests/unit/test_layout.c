#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "fixture.h"
#include "layout.h"

static const char *MAIN = "fn main() {}\n";

/* Without outside path dependencies the context root is the project. */
static void
plain(void **state)
{
	struct layout lo;
	struct buf b = {0};

	(void)state;
	fx_enter();
	fx_write("p/Cargo.toml", "[package]\nname = \"p\"\n"
				 "[dependencies]\nin = { path = \"crates/in\" }\n");
	fx_write("p/src/main.rs", MAIN);
	fx_write("p/crates/in/Cargo.toml", "[package]\nname = \"in\"\n");
	assert_int_equal(layout_load("p", &lo), 0);
	assert_string_equal(lo.prefix, "");
	assert_int_equal(lo.rel.n, 0);
	assert_int_equal(layout_map(&lo, "src/main.rs", &b), 0);
	assert_string_equal(b.s, "src/main.rs");
	assert_int_equal(layout_map(&lo, "../x", &b), -1);
	layout_free(&lo);
	buf_free(&b);
	fx_leave();
}

/* services/app with ../../libs/common (which reaches ../proto), a member's own
 * outside dep, and a crate inside another outside crate: the root is the common
 * ancestor, each dir once. */
static void
monorepo(void **state)
{
	struct layout lo;
	struct buf b = {0};

	(void)state;
	fx_enter();
	fx_write("m/services/app/Cargo.toml",
		 "[package]\nname = \"app\"\n[workspace]\nmembers = [\"w\"]\n"
		 "[dependencies]\ncommon = { path = \"../../libs/common\" }\n"
		 "inner = { path = \"../../libs/common/inner\" }\n");
	fx_write("m/services/app/src/main.rs", MAIN);
	fx_write("m/services/app/w/Cargo.toml", "[package]\nname = \"w\"\n"
		 "[dependencies]\nsib = { path = \"../../sib\" }\n");
	fx_write("m/services/sib/Cargo.toml", "[package]\nname = \"sib\"\n");
	fx_write("m/libs/common/Cargo.toml", "[package]\nname = \"common\"\n"
		 "[dependencies]\nproto = { path = \"../proto\" }\n");
	fx_write("m/libs/common/inner/Cargo.toml", "[package]\nname = \"inner\"\n");
	fx_write("m/libs/proto/Cargo.toml", "[package]\nname = \"proto\"\n");
	assert_int_equal(layout_load("m/services/app", &lo), 0);
	assert_string_equal(lo.prefix, "services/app");
	assert_int_equal(lo.rel.n, 3);
	assert_string_equal(lo.rel.v[0], "libs/common");
	assert_string_equal(lo.rel.v[1], "libs/proto");
	assert_string_equal(lo.rel.v[2], "services/sib");
	assert_string_equal(lo.outer.v[0], "../../libs/common");
	assert_string_equal(lo.outer.v[2], "../../services/sib");
	assert_int_equal(layout_map(&lo, "../../libs/common/src/lib.rs", &b), 0);
	assert_string_equal(b.s, "libs/common/src/lib.rs");
	assert_int_equal(layout_map(&lo, "Cargo.toml", &b), 0);
	assert_string_equal(b.s, "services/app/Cargo.toml");
	assert_int_equal(layout_map(&lo, "../../../x", &b), -1);
	layout_free(&lo);
	buf_free(&b);
	fx_leave();
}

/* An outside crate that holds the project cannot be placed beside it. */
static void
contains_project(void **state)
{
	struct layout lo;

	(void)state;
	fx_enter();
	fx_write("r/Cargo.toml", "[package]\nname = \"r\"\n");
	fx_write("r/app/Cargo.toml", "[package]\nname = \"app\"\n"
				     "[dependencies]\nr = { path = \"..\" }\n");
	fx_write("r/app/src/main.rs", MAIN);
	assert_int_equal(layout_load("r/app", &lo), -1);
	assert_string_equal(err_get(), "r/app: local crate '..' contains the project itself: "
				       "make the crate that holds it the project, or move the "
				       "crate out");
	fx_leave();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain),
		cmocka_unit_test(monorepo),
		cmocka_unit_test(contains_project),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
