package org.bosun.console;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.image.Progress;
import org.junit.Test;

public class FetchJobsTest {
    private static void await(FetchJobs.Job job) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (job.state == FetchJobs.State.RUNNING && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertFalse("the fetch ended", job.state == FetchJobs.State.RUNNING);
    }

    @Test
    public void aFetchShowsItsTasksAsTheyAdvanceThenItsImage() throws Exception {
        FetchJobs jobs = new FetchJobs();
        CountDownLatch halfway = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        FetchJobs.Job job = jobs.start("docker://example.com/app:1", progress -> {
            try (Progress.Task layer = progress.task("layer sha256:ab", 1000)) {
                layer.advance(400);
                halfway.countDown();
                go.await(10, TimeUnit.SECONDS);
                layer.advance(600);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return "fetched sha256:" + "ab".repeat(32);
        });
        assertTrue(halfway.await(10, TimeUnit.SECONDS));
        assertEquals("{\"id\":\"" + job.id + "\",\"reference\":\"docker://example.com/app:1\",\"state\":\"running\","
                + "\"outcome\":null,\"tasks\":[{\"label\":\"layer sha256:ab\",\"total\":1000,\"done\":400}]}",
                FetchJobs.json(job));
        go.countDown();
        await(job);
        assertEquals(FetchJobs.State.DONE, job.state);
        assertTrue(FetchJobs.json(job), FetchJobs.json(job).contains("\"state\":\"done\",\"outcome\":\"fetched sha256:abab"));
        assertEquals(List.of(job), jobs.list());
        assertEquals(job, jobs.get(job.id));
    }

    @Test
    public void aFailedFetchKeepsTheServicesMessage() throws Exception {
        FetchJobs jobs = new FetchJobs();
        FetchJobs.Job job = jobs.start("/nowhere.aci", progress -> {
            throw BosunException.notFound("image file /nowhere.aci does not exist; check the path");
        });
        await(job);
        assertEquals(FetchJobs.State.FAILED, job.state);
        assertEquals("image file /nowhere.aci does not exist; check the path", job.outcome);
    }

    @Test
    public void atMostFourRunAtOnceAndTheFifthIsUnavailable() throws Exception {
        FetchJobs jobs = new FetchJobs();
        CountDownLatch release = new CountDownLatch(1);
        List<FetchJobs.Job> running = new ArrayList<>();
        for (int i = 0; i < FetchJobs.MAX_RUNNING; i++) {
            running.add(jobs.start("docker://example.com/app:" + i, progress -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "fetched";
            }));
        }
        BosunException e = assertThrows(BosunException.class, () -> jobs.start("docker://example.com/five", p -> "x"));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertEquals("4 fetches are running, the most the console runs at once; wait for one to end", e.getMessage());
        release.countDown();
        for (FetchJobs.Job job : running) {
            await(job);
        }
        FetchJobs.Job fifth = jobs.start("docker://example.com/five", p -> "fetched");
        await(fifth);
        assertEquals("the newest first", fifth, jobs.list().get(0));
    }

    @Test
    public void aReferenceAndOutcomeAreJsonEscaped() throws Exception {
        FetchJobs jobs = new FetchJobs();
        FetchJobs.Job job = jobs.start(PagesTest.EVIL, p -> PagesTest.EVIL);
        await(job);
        String json = FetchJobs.json(job);
        assertFalse(json, json.contains("<script>"));
        assertTrue(json, json.contains("\\u003cscript\\u003e"));
    }
}
