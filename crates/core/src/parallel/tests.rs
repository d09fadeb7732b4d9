use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::Duration;

use super::testing::{same_bits_for_all_counts, with_workers, WORKER_COUNTS};
use super::*;

#[test]
fn every_task_runs_exactly_once_for_every_worker_count() {
    for &w in &WORKER_COUNTS {
        with_workers(w, 0, || {
            for n in [0usize, 1, 2, 7, 13, 127, 509] {
                let counts: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(0)).collect();
                run(n, usize::MAX, &|i| {
                    counts[i].fetch_add(1, Ordering::Relaxed);
                });
                assert!(counts.iter().all(|c| c.load(Ordering::Relaxed) == 1), "workers={w} n={n}");
            }
        });
    }
}

#[test]
fn workers_take_part_and_the_threshold_keeps_small_calls_inline() {
    with_workers(3, 1000, || {
        let on_workers = AtomicUsize::new(0);
        let task = |_| {
            if is_worker() {
                on_workers.fetch_add(1, Ordering::Relaxed);
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        // Another test's kernel may own the pool for a moment (then a call runs inline): retry.
        for _ in 0..50 {
            run(32, 1000, &task);
            if on_workers.load(Ordering::Relaxed) > 0 {
                break;
            }
        }
        assert!(on_workers.load(Ordering::Relaxed) > 0, "no task ran on a worker");
        on_workers.store(0, Ordering::Relaxed);
        run(32, 999, &task);
        assert_eq!(on_workers.load(Ordering::Relaxed), 0, "a call below min_work was split");
    });
}

#[test]
fn chunks_cover_the_slices_once() {
    with_workers(2, 0, || {
        for len in [0usize, 1, 4095, 4096, 4097, 3 * 4096 + 5] {
            let mut a = vec![0u32; len];
            let mut b = vec![0u32; len];
            for_each_chunks_mut([&mut a, &mut b], 4096, len, |i, [x, y]| {
                for (j, (x, y)) in x.iter_mut().zip(y.iter_mut()).enumerate() {
                    *x += (i * 4096 + j) as u32;
                    *y += 1;
                }
            });
            assert!(a.iter().enumerate().all(|(j, &x)| x == j as u32) && b.iter().all(|&y| y == 1), "len={len}");
            let mut p = vec![0usize; 9];
            map_tasks(&mut p, 9, |i| i * i);
            assert_eq!(p, (0..9).map(|i| i * i).collect::<Vec<_>>());
        }
    });
}

#[test]
fn a_nested_run_stays_inline_and_completes() {
    with_workers(2, 0, || {
        let total = AtomicUsize::new(0);
        run(8, 8, &|_| {
            run(4, 4, &|_| {
                total.fetch_add(1, Ordering::Relaxed);
            });
        });
        assert_eq!(total.load(Ordering::Relaxed), 32);
    });
}

#[test]
fn a_panic_on_a_worker_reaches_the_caller_with_its_message() {
    with_workers(3, 0, || {
        let job = || {
            run(64, 64, &|i| {
                std::thread::sleep(Duration::from_millis(1));
                if is_worker() {
                    panic!("task {i} failed on purpose");
                }
            })
        };
        // Another test's kernel may own the pool for a moment (then the job runs inline and
        // nothing panics): retry.
        let mut r = Ok(());
        for _ in 0..50 {
            r = std::panic::catch_unwind(job);
            if r.is_err() {
                break;
            }
        }
        let msg = r.expect_err("the worker panic was lost");
        let msg = msg.downcast_ref::<String>().expect("a formatted message");
        assert!(msg.starts_with("a worker thread trapped: task ") && msg.ends_with(" failed on purpose"), "{msg}");
        assert!(worker_panic_message().is_some_and(|m| msg.ends_with(m)));
        // Natively the worker caught the panic: the pool goes on, and the next job clears it.
        let n = AtomicUsize::new(0);
        run(16, 16, &|_| {
            n.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(n.load(Ordering::Relaxed), 16);
    });
}

#[test]
fn a_set_fault_word_makes_the_next_split_call_panic_until_configure() {
    with_workers(2, 0, || {
        // What the JS wrapper does when a worker's instance traps.
        // SAFETY: the fault word is a live u32 static; the pool reads it atomically.
        unsafe { (*(fault_word() as *const AtomicU32)).store(1, Ordering::SeqCst) };
        let r = std::panic::catch_unwind(|| run(4, 4, &|_| {}));
        let msg = r.expect_err("a faulted pool ran a job");
        assert!(msg.downcast_ref::<&str>().is_some_and(|m| m.starts_with("a worker thread trapped")), "{msg:?}");
        // Calls below the threshold still run inline.
        set_min_work(5);
        let n = AtomicUsize::new(0);
        run(4, 4, &|_| {
            n.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(n.load(Ordering::Relaxed), 4);
    });
    // with_workers ended with configure(0), which cleared the word.
    // SAFETY: as above.
    assert_eq!(unsafe { (*(fault_word() as *const AtomicU32)).load(Ordering::SeqCst) }, 0);
}

#[test]
fn a_panic_on_the_calling_thread_unwinds_after_the_workers_finish() {
    with_workers(2, 0, || {
        let started = AtomicUsize::new(0);
        let finished = AtomicUsize::new(0);
        let r = std::panic::catch_unwind(|| {
            run(64, 64, &|_| {
                started.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(1));
                if !is_worker() {
                    panic!("caller task");
                }
                finished.fetch_add(1, Ordering::SeqCst);
            })
        });
        assert!(r.is_err());
        // Every task that started on a worker had finished before run unwound.
        assert_eq!(started.load(Ordering::SeqCst), finished.load(Ordering::SeqCst) + 1);
        // No fault: the pool works on.
        let n = AtomicUsize::new(0);
        run(16, 16, &|_| {
            n.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(n.load(Ordering::Relaxed), 16);
    });
}

#[test]
fn ten_thousand_tiny_jobs_with_three_workers_do_not_hang() {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let sum = with_workers(3, 0, || {
            let mut sum = 0usize;
            for j in 0..10_000usize {
                let n = 1 + j % 5;
                let mut out = vec![0usize; n];
                map_tasks(&mut out, n, |i| i + j);
                sum += out.iter().sum::<usize>();
            }
            sum
        });
        tx.send(sum).unwrap();
    });
    let want: usize = (0..10_000usize).map(|j| (0..1 + j % 5).map(|i| i + j).sum::<usize>()).sum();
    assert_eq!(rx.recv_timeout(Duration::from_secs(120)).expect("the pool hung"), want);
}

#[test]
fn configure_rejects_bad_requests() {
    assert_eq!(configure(MAX_WORKERS + 1), Err(PoolError::TooManyWorkers(MAX_WORKERS + 1)));
    with_workers(1, 0, || {
        assert_eq!(worker_main(1), Err(PoolError::BadIndex { index: 1, workers: 1 }));
    });
}

#[test]
fn a_chunked_map_gives_the_same_bits_for_every_worker_count() {
    let x: Vec<f32> = (0..10_007).map(|i| (i as f32 * 0.37).sin()).collect();
    let out = same_bits_for_all_counts("sqrt-map", || {
        let mut y = vec![0.0f32; x.len()];
        for_each_chunk_mut(&mut y, 1000, x.len(), |i, c| {
            for (j, o) in c.iter_mut().enumerate() {
                *o = x[i * 1000 + j].abs().sqrt();
            }
        });
        y
    });
    assert_eq!(out[10_006].to_bits(), x[10_006].abs().sqrt().to_bits());
}

#[test]
fn a_call_large_enough_to_split_without_workers_raises_the_wanted_word() {
    // Only the raise is checked here: other tests' calls (run in parallel, on the same global)
    // may raise it too; test/threads.test.ts checks that small calls leave it at 0.
    with_workers(0, 1000, || {
        // SAFETY: a live, aligned u32 static, only accessed atomically.
        let word = unsafe { &*(wanted_word() as *const AtomicU32) };
        word.store(0, Ordering::Relaxed);
        let ran = AtomicUsize::new(0);
        run(32, 1000, &|_| {
            ran.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(ran.load(Ordering::Relaxed), 32);
        assert_eq!(word.load(Ordering::Relaxed), 1);
    });
}
