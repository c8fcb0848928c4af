/* test_files.c - core_atomic_write, core_mkdir_p, core_read_file. */
#include "core/core.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include "testfs.h"

static char *tmpdir;

static void setup_dir(void)
{
	GError *err = NULL;

	tmpdir = g_dir_make_tmp("core-files-XXXXXX", &err);
	g_assert_no_error(err);
}

static int count_entries(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	int n = 0;

	g_assert_nonnull(d);
	while (g_dir_read_name(d))
		n++;
	g_dir_close(d);
	return n;
}

static void test_atomic_write(void)
{
	static const struct {
		const char *content;
		mode_t mode;
	} cases[] = {
		{ "hello\n", 0600 },
		{ "", 0644 },
		{ "replaced content, longer than before\n", 0640 },
	};
	char *path = g_build_filename(tmpdir, "state", NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct stat st;
		char *data = NULL;
		size_t len = 0;

		g_assert_cmpint(core_atomic_write(path, cases[i].content, strlen(cases[i].content),
						  cases[i].mode), ==, 0);
		g_assert_cmpint(core_read_file(path, 4096, &data, &len), ==, 0);
		g_assert_cmpuint(len, ==, strlen(cases[i].content));
		g_assert_cmpstr(data, ==, cases[i].content);
		g_free(data);
		g_assert_cmpint(stat(path, &st), ==, 0);
		g_assert_cmpint(st.st_mode & 07777, ==, cases[i].mode);
		/* No temp file left next to it. */
		g_assert_cmpint(count_entries(tmpdir), ==, 1);
	}
	g_free(path);
}

static void test_atomic_write_missing_dir(void)
{
	char *path = g_build_filename(tmpdir, "no-such-dir", "file", NULL);

	g_assert_cmpint(core_atomic_write(path, "x", 1, 0600), ==, -ENOENT);
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	g_free(path);
}

static void test_mkdir_p(void)
{
	char *deep = g_build_filename(tmpdir, "a", "b", "c", NULL);
	char *slashy = g_strconcat(tmpdir, "//x///y/", NULL);
	char *file = g_build_filename(tmpdir, "plain", NULL);
	char *under_file = g_build_filename(file, "sub", NULL);
	struct stat st;

	g_assert_cmpint(core_mkdir_p(deep, 0700), ==, 0);
	g_assert_cmpint(stat(deep, &st), ==, 0);
	g_assert_true(S_ISDIR(st.st_mode));
	g_assert_cmpint(st.st_mode & 0777, ==, 0700);
	/* Existing is fine. */
	g_assert_cmpint(core_mkdir_p(deep, 0700), ==, 0);
	g_assert_cmpint(core_mkdir_p(slashy, 0700), ==, 0);
	g_assert_true(g_file_test(slashy, G_FILE_TEST_IS_DIR));
	/* A file in the way. */
	g_assert_cmpint(core_atomic_write(file, "x", 1, 0600), ==, 0);
	g_assert_cmpint(core_mkdir_p(file, 0700), ==, -ENOTDIR);
	g_assert_cmpint(core_mkdir_p(under_file, 0700), ==, -ENOTDIR);
	g_assert_cmpint(core_mkdir_p("", 0700), ==, -EINVAL);
	g_free(deep);
	g_free(slashy);
	g_free(file);
	g_free(under_file);
}

static void test_read_file_cap(void)
{
	char *path = g_build_filename(tmpdir, "big", NULL);
	char *missing = g_build_filename(tmpdir, "missing", NULL);
	char *data = (char *)"unchanged";
	size_t len = 99;

	g_assert_cmpint(core_atomic_write(path, "0123456789", 10, 0600), ==, 0);
	g_assert_cmpint(core_read_file(path, 9, &data, &len), ==, -EFBIG);
	g_assert_null(data);
	g_assert_cmpint(core_read_file(path, 10, &data, &len), ==, 0);
	g_assert_cmpuint(len, ==, 10);
	g_assert_cmpstr(data, ==, "0123456789");
	g_free(data);
	g_assert_cmpint(core_read_file(missing, 10, &data, &len), ==, -ENOENT);
	g_free(path);
	g_free(missing);
}

int main(int argc, char **argv)
{
	int ret;

	g_test_init(&argc, &argv, NULL);
	setup_dir();
	g_test_add_func("/core/files/atomic_write", test_atomic_write);
	g_test_add_func("/core/files/atomic_write_missing_dir", test_atomic_write_missing_dir);
	g_test_add_func("/core/files/mkdir_p", test_mkdir_p);
	g_test_add_func("/core/files/read_file_cap", test_read_file_cap);
	ret = g_test_run();
	testfs_rm_rf(tmpdir);
	g_free(tmpdir);
	return ret;
}
