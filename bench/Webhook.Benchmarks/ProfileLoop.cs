using System.Diagnostics;

namespace Platform.Webhook.Benchmarks;

/// <summary>
/// The handler in a plain loop for a sampling profiler (<c>perf record</c> with
/// <c>DOTNET_PerfMapEnabled=1</c>): no harness frames between the samples and the webhook's own code.
/// Prints the mean per call so a profile can be matched to the BenchmarkDotNet figure.
/// </summary>
internal static class ProfileLoop
{
    public static int Run(string[] args)
    {
        var seconds = args.Length > 0 && int.TryParse(args[0], out var s) ? s : 20;
        var benchmarks = new AdmissionHandlerBenchmarks();
        benchmarks.Setup();
        var clock = Stopwatch.StartNew();
        long calls = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 1000; i++)
            {
                benchmarks.Handle();
            }

            calls += 1000;
        }

        Console.WriteLine($"RESULT profile_calls={calls} mean_us={clock.Elapsed.TotalMicroseconds / calls:F2}");
        return 0;
    }
}
