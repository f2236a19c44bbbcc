using System.Diagnostics;
using System.Linq.Expressions;

namespace Platform.Webhook.Benchmarks;

/// <summary>
/// One benchmark method in a plain loop for a sampling profiler (<c>perf record</c> with
/// <c>DOTNET_PerfMapEnabled=1</c>): no harness frames between the samples and the webhook's own code.
/// Prints the mean time and allocation per call so a profile can be matched to the BenchmarkDotNet figure. A quick A/B
/// without BenchmarkDotNet's minutes: <c>profile 5 ScanOnly Scanner ReadRequest Handle</c>. With <c>--alloc</c> first, it
/// also prints which types the allocations are (<see cref="AllocationSampler"/>).
/// </summary>
internal static class ProfileLoop
{
    public static int Run(string[] args)
    {
        var alloc = args.Length > 0 && args[0] == "--alloc";
        if (alloc)
        {
            args = args[1..];
        }

        using var sampler = alloc ? new AllocationSampler() : null;
        var seconds = args.Length > 0 && int.TryParse(args[0], out var s) ? s : 20;
        string[] names = args.Length > 1 ? args[1..] : ["Handle"];
        var benchmarks = new AdmissionHandlerBenchmarks();
        benchmarks.Setup();
        foreach (var name in names)
        {
            var method = typeof(AdmissionHandlerBenchmarks).GetMethod(name)
                ?? throw new ArgumentException($"no benchmark method {name}");
            var call = Expression.Lambda<Func<object?>>(
                Expression.Convert(Expression.Call(Expression.Constant(benchmarks), method), typeof(object))).Compile();
            sampler?.Reset();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            long calls = 0;
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                for (var i = 0; i < 1000; i++)
                {
                    call();
                }

                calls += 1000;
            }

            var elapsed = clock.Elapsed;
            var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / calls;
            Console.WriteLine($"RESULT profile_method={name} calls={calls} mean_us={elapsed.TotalMicroseconds / calls:F2} allocated_bytes={bytes}");
            sampler?.Print(calls);
        }

        return 0;
    }
}
