/* test_pktbuf.c: the fixed packet pool: exhaustion, reuse, reference counting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/err.h"
#include "net/pktbuf.h"

static void pool_rejects_zero_slots(void **state) {
    kn_pktbuf_pool pool;
    (void)state;
    assert_int_equal(kn_pktbuf_pool_init(&pool, 0), KN_EINVAL);
    kn_pktbuf_pool_close(&pool);
}

static void pool_empties_and_refills(void **state) {
    kn_pktbuf_pool pool;
    kn_pktbuf *b[4];
    (void)state;
    assert_int_equal(kn_pktbuf_pool_init(&pool, 4), 0);
    for (int i = 0; i < 4; i++) {
        b[i] = kn_pktbuf_get(&pool);
        assert_non_null(b[i]);
        assert_int_equal(b[i]->refs, 1);
    }
    assert_null(kn_pktbuf_get(&pool)); /* empty: the caller drops and counts */
    assert_int_equal(pool.in_use, 4);
    kn_pktbuf_unref(&pool, b[2]);
    kn_pktbuf *again = kn_pktbuf_get(&pool);
    assert_ptr_equal(again, b[2]);
    for (int i = 0; i < 4; i++)
        kn_pktbuf_unref(&pool, b[i]);
    assert_int_equal(pool.in_use, 0);
    kn_pktbuf_pool_close(&pool);
}

static void ring_reference_keeps_slot(void **state) {
    kn_pktbuf_pool pool;
    (void)state;
    assert_int_equal(kn_pktbuf_pool_init(&pool, 1), 0);
    kn_pktbuf *b = kn_pktbuf_get(&pool);
    kn_pktbuf_ref(b); /* the retransmission ring */
    kn_pktbuf_unref(&pool, b);
    assert_null(kn_pktbuf_get(&pool)); /* still held by the ring */
    kn_pktbuf_unref(&pool, b);
    assert_ptr_equal(kn_pktbuf_get(&pool), b);
    kn_pktbuf_unref(&pool, b);
    kn_pktbuf_pool_close(&pool);
}

static void slot_has_srtp_headroom(void **state) {
    (void)state;
    assert_int_equal(KN_PKTBUF_SLOT, KN_MTU + SRTP_MAX_TRAILER_LEN);
    assert_true(sizeof(((kn_pktbuf *)0)->data) >= KN_MTU + SRTP_MAX_TRAILER_LEN);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pool_rejects_zero_slots),
        cmocka_unit_test(pool_empties_and_refills),
        cmocka_unit_test(ring_reference_keeps_slot),
        cmocka_unit_test(slot_has_srtp_headroom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
