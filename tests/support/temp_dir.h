/*
 * Test support: a private temporary directory per test, removed with all
 * it holds afterwards. The two functions fit cmocka's setup/teardown slots:
 * *state is the directory's path (a char *).
 */
#ifndef TESTS_TEMP_DIR_H
#define TESTS_TEMP_DIR_H

int temp_dir_setup(void **state);
int temp_dir_teardown(void **state);

/* Removes a directory tree (files, subdirectories, links not followed). */
void temp_dir_remove(const char *dir);

#endif
