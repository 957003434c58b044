/*
 * portal-sim: reading a big JSON document (the state file) piece by piece.
 *
 * The state file holds millions of users; parsing it into one json-c tree
 * takes gigabytes. This reader walks the document's objects and arrays one
 * member or element at a time and hands out only the small values as json-c
 * objects, so memory follows the largest element, not the file. It owns the
 * reading and the syntax errors (with the byte offset); it never knows what a
 * state file means: the server and each vendor decide which members to walk.
 *
 * Every call that consumes something returns false on an error, which is kept
 * (the first one only) and makes every later call fail too. A caller that gets
 * a member or an element must consume its value with exactly one of
 * sim_json_stream_value, _skip, _begin_object or _begin_array.
 */
#ifndef PORTALCTL_SIM_JSON_STREAM_H
#define PORTALCTL_SIM_JSON_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <glib.h>
#include <json-c/json.h>

struct sim_json_stream;

/* Reads from in (not closed by the stream) or from a copy of text[0..len). */
struct sim_json_stream *sim_json_stream_new_file(FILE *in);
struct sim_json_stream *sim_json_stream_new_text(const char *text, size_t len);
void sim_json_stream_free(struct sim_json_stream *stream);

/* The first problem ("byte 1234: expected ','"), NULL while there is none. */
const char *sim_json_stream_error(const struct sim_json_stream *stream);
/* Records a problem of the caller's (the first one wins); returns false. */
G_GNUC_PRINTF(2, 3)
bool sim_json_stream_fail(struct sim_json_stream *stream, const char *format, ...);

/* Enters an object or array (false when the next value is something else). */
bool sim_json_stream_begin_object(struct sim_json_stream *stream);
bool sim_json_stream_begin_array(struct sim_json_stream *stream);
/* The next member of the object entered last: true with its name (valid until
 * the next call) and the stream at its value; false at the object's end (which
 * it leaves) or on an error. */
bool sim_json_stream_next_member(struct sim_json_stream *stream, const char **name);
/* The same for the elements of the array entered last. */
bool sim_json_stream_next_element(struct sim_json_stream *stream);

/* The next whole value as json-c (*out NULL for JSON null; the caller puts it). */
bool sim_json_stream_value(struct sim_json_stream *stream, json_object **out);
/* Steps over the next whole value. */
bool sim_json_stream_skip(struct sim_json_stream *stream);
/* True when only white space is left. */
bool sim_json_stream_at_end(struct sim_json_stream *stream);

/* Reads the members of the object entered last into a new json-c object until
 * one named in stop (a NULL-terminated list) comes: *stopped_at is then that
 * name (valid until the next call) and the stream is at its value. At the
 * object's end *stopped_at is NULL. NULL on an error. */
json_object *sim_json_stream_members_until(struct sim_json_stream *stream, const char *const *stop,
                                           const char **stopped_at);

#endif
