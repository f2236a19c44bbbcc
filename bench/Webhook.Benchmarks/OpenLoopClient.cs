using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Platform.Webhook.Benchmarks;

/// <summary>
/// Latency at a fixed request rate, open loop: request i is due at t0 + i/rate and is sent when due whether or
/// not earlier ones have answered, over HTTP/2 sessions like the apiserver's. h2load's --rps does not do this: it
/// sends in bursts (16 clients at 125/s fire in phase, 16 at once; one client at 2,000/s sends ~10 back to back
/// every 5 ms), so its figure is the queueing of bursts. A Node.js client costs half a core at 2,000/s and its
/// own pauses dominated the tail on two cores; this one costs a few percent of one.
/// <para>The sending thread sleeps in 1 ms steps (the OS timer's grain) and sends what has come due, so requests
/// usually leave in twos up to ~1 ms late. Latency is timed from the actual send to the whole response; the
/// lateness of sends against the schedule is reported beside it, so a late client is visible.</para>
/// </summary>
internal static class OpenLoopClient
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: latency --url https://127.0.0.1:PORT/path --body FILE [--rate 2000] [--duration 10] [--warmup 2] [--connections 4]");
            return 2;
        }

        var body = await File.ReadAllBytesAsync(options.Body);
        var clients = Enumerable.Range(0, options.Connections).Select(_ => NewClient()).ToArray();

        // Open every session before the clock starts: handshakes are not what is measured.
        foreach (var client in clients)
        {
            using var warm = await client.SendAsync(Request(options.Url, body));
        }

        await RunAsync(clients, options.Url, body, options.Rate, options.Warmup, record: null);
        var measured = new Measurement((int)(options.Rate * options.Duration));
        await RunAsync(clients, options.Url, body, options.Rate, options.Duration, measured);
        Console.WriteLine(measured.Summary(options.Duration));
        return measured.Errors == 0 && measured.Ok > 0 ? 0 : 1;
    }

    private static async Task RunAsync(HttpClient[] clients, Uri url, byte[] body, double rate, double seconds, Measurement? record)
    {
        var count = (int)(rate * seconds);
        var inFlight = new Task[count];
        var ticksPerRequest = Stopwatch.Frequency / rate;
        var sender = new Thread(() =>
        {
            var t0 = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                var due = t0 + (long)(i * ticksPerRequest);
                while (Stopwatch.GetTimestamp() < due)
                {
                    Thread.Sleep(1);
                }

                var sent = Stopwatch.GetTimestamp();
                inFlight[i] = Send(clients[i % clients.Length], url, body, i, sent, sent - due, record);
            }
        })
        { IsBackground = true, Priority = ThreadPriority.Highest, Name = "open-loop sender" };
        sender.Start();
        await Task.Run(sender.Join);
        await Task.WhenAll(inFlight);
    }

    private static async Task Send(HttpClient client, Uri url, byte[] body, int index, long sent, long late, Measurement? record)
    {
        try
        {
            using var response = await client.SendAsync(Request(url, body)).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            record?.Add(index, Stopwatch.GetTimestamp() - sent, late, response.StatusCode == HttpStatusCode.OK);
        }
        catch (HttpRequestException)
        {
            record?.Add(index, 0, late, ok: false);
        }
    }

    private static HttpClient NewClient() => new(new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
    })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    private static HttpRequestMessage Request(Uri url, byte[] body) => new(HttpMethod.Post, url)
    {
        Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    private sealed class Measurement(int count)
    {
        private readonly long[] latency = new long[count];
        private readonly long[] lateness = new long[count];
        private int ok;
        private int errors;

        public int Ok => ok;

        public int Errors => errors;

        public void Add(int index, long elapsed, long late, bool ok)
        {
            latency[index] = ok ? elapsed : long.MaxValue;
            lateness[index] = late;
            Interlocked.Increment(ref ok ? ref this.ok : ref errors);
        }

        public string Summary(double seconds)
        {
            var times = latency.Where(t => t != long.MaxValue).Order().ToArray();
            var late = lateness.Order().ToArray();
            return string.Create(CultureInfo.InvariantCulture,
                $"p50_ms={Ms(At(times, 0.50)):F3} p90_ms={Ms(At(times, 0.90)):F3} p99_ms={Ms(At(times, 0.99)):F3} p999_ms={Ms(At(times, 0.999)):F3} max_ms={Ms(At(times, 1)):F3} sent={latency.Length} ok={ok} errors={errors} rate={latency.Length / seconds:F0} send_lateness_p99_ms={Ms(At(late, 0.99)):F3}");
        }

        private static long At(long[] sorted, double quantile) =>
            sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * quantile))];

        private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
    }

    private sealed record Options(Uri Url, string Body, double Rate, double Duration, double Warmup, int Connections)
    {
        public static Options? Parse(string[] args)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                values[args[i]] = args[i + 1];
            }

            if (!values.TryGetValue("--url", out var url) || !values.TryGetValue("--body", out var body))
            {
                return null;
            }

            double Number(string key, double fallback) =>
                values.TryGetValue(key, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
            return new Options(new Uri(url), body, Number("--rate", 2000), Number("--duration", 10), Number("--warmup", 2), (int)Number("--connections", 4));
        }
    }
}
