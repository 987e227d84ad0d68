/*
 * test_retention.c: consultation metadata (counts, peak, single end) and the
 * retention purge driven by an injectable clock: KONSIL_RETENTION_DAYS
 * parsing (default 90, 1..90), metadata and appointments kept until the
 * period ends and deleted after, access-code MACs cleared at expiry,
 * expired sessions deleted, and the uv timer entry point on a real loop
 * (closed in teardown, uv_loop_close() == 0).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "account/access.h"
#include "account/host.h"
#include "account/session.h"
#include "core/err.h"
#include "store/consultation.h"
#include "store/retention.h"

#define T0  1800000000LL
#define DAY 86400LL
static const uint8_t key[KN_ACCESS_CODE_KEY_LEN] = {9};

static void days_parse(void **state) {
    int d = 0;
    (void)state;
    assert_int_equal(kn_retention_days_parse(NULL, &d), 0);
    assert_int_equal(d, 90);
    assert_int_equal(kn_retention_days_parse("", &d), 0);
    assert_int_equal(d, 90);
    assert_int_equal(kn_retention_days_parse("30", &d), 0);
    assert_int_equal(d, 30);
    assert_int_equal(kn_retention_days_parse("1", &d), 0);
    assert_int_equal(d, 1);
    assert_int_equal(kn_retention_days_parse("90", &d), 0);
    assert_int_equal(kn_retention_days_parse("91", &d), KN_EINVAL);
    assert_int_equal(kn_retention_days_parse("0", &d), KN_EINVAL);
    assert_int_equal(kn_retention_days_parse("-5", &d), KN_EINVAL);
    assert_int_equal(kn_retention_days_parse("30d", &d), KN_EINVAL);
    assert_int_equal(kn_retention_days_parse(" 30", &d), KN_EINVAL);
    assert_int_equal(kn_retention_days_parse("99999999999999999999", &d), KN_EINVAL);
}

typedef struct fx {
    kn_db db;
    kn_host host;
} fx;

static int fx_setup(void **state) {
    fx *f = calloc(1, sizeof(*f));
    assert_int_equal(kn_db_open(&f->db, ":memory:"), 0);
    assert_int_equal(kn_host_create_first(&f->db, "P", "dr@example.org", KN_HOST_THERAPIST,
                                          "long enough password", T0, &f->host),
                     0);
    *state = f;
    return 0;
}

static int fx_teardown(void **state) {
    fx *f = *state;
    kn_db_close(&f->db);
    free(f);
    return 0;
}

static void consultation_counts_without_names(void **state) {
    fx *f = *state;
    kn_consultation c;
    int64_t id;
    assert_int_equal(kn_consultation_begin(&f->db, f->host.practice_id, KN_APPT_GROUP,
                                           KN_HOST_THERAPIST, T0, &id),
                     0);
    assert_int_equal(kn_consultation_joined(&f->db, id, KN_ROLE_PATIENT, 2), 0);
    assert_int_equal(kn_consultation_joined(&f->db, id, KN_ROLE_PATIENT, 3), 0);
    assert_int_equal(kn_consultation_joined(&f->db, id, KN_ROLE_INTERPRETER, 2), 0);
    assert_int_equal(kn_consultation_joined(&f->db, id, KN_ROLE_PATIENT, 10), KN_EINVAL);
    assert_int_equal(kn_consultation_joined(&f->db, 999, KN_ROLE_PATIENT, 2), KN_ENOENT);
    assert_int_equal(kn_consultation_end(&f->db, id, T0 + 1500), 0);
    assert_int_equal(kn_consultation_end(&f->db, id, T0 + 1600), KN_ESTATE);
    assert_int_equal(kn_consultation_end(&f->db, 999, T0), KN_ENOENT);
    assert_int_equal(kn_consultation_get(&f->db, id, &c), 0);
    assert_int_equal(c.type, KN_APPT_GROUP);
    assert_int_equal(c.host_role, KN_HOST_THERAPIST);
    assert_int_equal(c.started_at, T0);
    assert_int_equal(c.ended_at, T0 + 1500);
    assert_int_equal(c.patients, 2);
    assert_int_equal(c.interpreters, 1);
    assert_int_equal(c.relatives, 0);
    assert_int_equal(c.peak_participants, 3);
    assert_int_equal(kn_consultation_begin(&f->db, 999, KN_APPT_GROUP, KN_HOST_DOCTOR, T0, &id),
                     KN_ENOENT);
}

static int64_t count(kn_db *db, const char *sql) {
    sqlite3_stmt *st;
    int64_t v = -1;
    assert_int_equal(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void purge_at_the_boundary(void **state) {
    fx *f = *state;
    kn_retention_counts c;
    kn_invitee_role roles[] = {KN_ROLE_PATIENT};
    kn_invitee inv[1];
    kn_appointment a = {.practice_id = f->host.practice_id,
                        .start_at = T0 + 3600,
                        .duration_s = 1800,
                        .type = KN_APPT_ONE_TO_ONE};
    char token[KN_SESSION_TOKEN_BUF];
    int64_t id, end = T0 + 3600 + 1800;

    assert_int_equal(kn_appointment_create(&f->db, key, &a, roles, 1, T0, inv), 0);
    assert_int_equal(
        kn_consultation_begin(&f->db, a.practice_id, a.type, KN_HOST_THERAPIST, T0 + 3600, &id), 0);
    assert_int_equal(kn_consultation_end(&f->db, id, end), 0);
    assert_int_equal(kn_session_create(&f->db, f->host.id, T0, KN_SESSION_TTL_S, token), 0);

    /* Just before the code expires: nothing goes. */
    assert_int_equal(kn_retention_purge(&f->db, end + KN_CODE_GRACE_S - 1, 90, &c), 0);
    assert_int_equal(c.consultations + c.appointments + c.codes, 0);
    assert_int_equal(c.sessions, 0); /* 12 h session still valid */
    /* The code's MAC goes when it expires; the appointment stays. */
    assert_int_equal(kn_retention_purge(&f->db, end + KN_CODE_GRACE_S, 90, &c), 0);
    assert_int_equal(c.codes, 1);
    assert_int_equal(count(&f->db, "SELECT count(*) FROM invitees WHERE code_mac IS NULL"), 1);
    /* 90 days after the start the metadata is kept; one second later it is gone. */
    assert_int_equal(kn_retention_purge(&f->db, T0 + 3600 + 90 * DAY, 90, &c), 0);
    assert_int_equal(c.consultations, 0);
    assert_int_equal(c.sessions, 1); /* expired long ago */
    assert_int_equal(kn_retention_purge(&f->db, T0 + 3600 + 90 * DAY + 1, 90, &c), 0);
    assert_int_equal(c.consultations, 1);
    assert_int_equal(c.appointments, 0); /* it ended 30 min later */
    assert_int_equal(kn_retention_purge(&f->db, end + 90 * DAY + 1, 90, &c), 0);
    assert_int_equal(c.appointments, 1);
    assert_int_equal(count(&f->db, "SELECT count(*) FROM invitees"), 0); /* cascade */
    assert_int_equal(count(&f->db, "SELECT count(*) FROM consultations"), 0);
    assert_int_equal(count(&f->db, "SELECT count(*) FROM hosts"), 1); /* accounts stay */
    assert_int_equal(kn_retention_purge(&f->db, T0, 91, &c), KN_EINVAL);
    assert_int_equal(kn_retention_purge(&f->db, T0, 0, &c), KN_EINVAL);
}

static void shorter_period_purges_earlier(void **state) {
    fx *f = *state;
    kn_retention_counts c;
    int64_t id;
    assert_int_equal(kn_consultation_begin(&f->db, f->host.practice_id, KN_APPT_ONE_TO_ONE,
                                           KN_HOST_THERAPIST, T0, &id),
                     0);
    assert_int_equal(kn_retention_purge(&f->db, T0 + 7 * DAY, 7, &c), 0);
    assert_int_equal(c.consultations, 0);
    assert_int_equal(kn_retention_purge(&f->db, T0 + 7 * DAY + 1, 7, &c), 0);
    assert_int_equal(c.consultations, 1);
}

typedef struct fake_clock {
    int64_t now;
    int calls;
} fake_clock;

static int64_t fake_now(void *ctx) {
    fake_clock *c = ctx;
    c->calls++;
    return c->now;
}

static void on_closed(uv_handle_t *h) {
    (*(int *)h->loop->data)++;
}

static void timer_purges_with_injected_clock(void **state) {
    fx *f = *state;
    fake_clock clock = {.now = T0 + 1};
    kn_retention r;
    uv_loop_t loop;
    int closed = 0;
    int64_t id;

    assert_int_equal(kn_consultation_begin(&f->db, f->host.practice_id, KN_APPT_ONE_TO_ONE,
                                           KN_HOST_DOCTOR, T0, &id),
                     0);
    assert_int_equal(uv_loop_init(&loop), 0);
    loop.data = &closed;
    assert_int_equal(kn_retention_start(&r, &loop, &f->db, 90, NULL, NULL, 1000), KN_EINVAL);
    assert_int_equal(kn_retention_start(&r, &loop, &f->db, 90, fake_now, &clock, 5), 0);
    while (r.runs < 1)
        uv_run(&loop, UV_RUN_ONCE);
    assert_int_equal(r.last_rc, 0);
    assert_int_equal(r.last.consultations, 0);
    clock.now = T0 + 91 * DAY; /* the clock jumps; the next tick purges */
    uint64_t runs = r.runs;
    while (r.runs == runs)
        uv_run(&loop, UV_RUN_ONCE);
    assert_int_equal(r.last.consultations, 1);
    assert_true(clock.calls >= 2);
    kn_retention_close(&r, on_closed);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(closed, 1);
    assert_int_equal(uv_loop_close(&loop), 0);
    assert_true(kn_retention_wall_clock(NULL) > 1700000000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(days_parse),
        cmocka_unit_test_setup_teardown(consultation_counts_without_names, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(purge_at_the_boundary, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(shorter_period_purges_earlier, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(timer_purges_with_injected_clock, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
