using BenchmarkDotNet.Reports;

namespace Platform.Webhook.Benchmarks;

/// <summary>Prints the figures the issue asks for, and their ratios, from the BenchmarkDotNet summary.</summary>
internal static class HandlerReport
{
    private const double TargetMeanNanoseconds = 25_000;
    private const long TargetAllocatedBytes = 16 * 1024;

    public static int Run(Summary summary)
    {
        var handle = summary.Reports.SingleOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(AdmissionHandlerBenchmarks.Handle));
        var parse = summary.Reports.SingleOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(AdmissionHandlerBenchmarks.ParseOnly));
        if (handle?.ResultStatistics is null || parse?.ResultStatistics is null)
        {
            Console.Error.WriteLine("benchmark did not produce results");
            return 1;
        }

        var mean = handle.ResultStatistics.Mean;
        var bytes = handle.GcStats.GetBytesAllocatedPerOperation(handle.BenchmarkCase) ?? 0;
        var parseMean = parse.ResultStatistics.Mean;
        Console.WriteLine($"RESULT handler_body_bytes={Fixture.CompactReview().Length}");
        Console.WriteLine($"RESULT handler_mean_us={mean / 1000:F1} target_us={TargetMeanNanoseconds / 1000:F0} ratio_to_target={mean / TargetMeanNanoseconds:F3} ({(mean <= TargetMeanNanoseconds ? "meets" : "MISSES")} target)");
        // On a shared machine other processes steal whole time slices: the median and the minimum show
        // what the code costs when it runs, the mean what it cost here.
        Console.WriteLine($"RESULT handler_median_us={handle.ResultStatistics.Median / 1000:F1} handler_min_us={handle.ResultStatistics.Min / 1000:F1} handler_stddev_us={handle.ResultStatistics.StandardDeviation / 1000:F1}");
        Console.WriteLine($"RESULT handler_allocated_bytes_per_op={bytes} target_bytes={TargetAllocatedBytes} ({(bytes <= TargetAllocatedBytes ? "meets" : "MISSES")} target)");
        var mutate = summary.Reports.SingleOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(AdmissionHandlerBenchmarks.MutateOnly));
        if (mutate?.ResultStatistics is { } mutateStatistics)
        {
            Console.WriteLine($"RESULT mutate_only_mean_us={mutateStatistics.Mean / 1000:F1} mutate_allocated_bytes_per_op={mutate.GcStats.GetBytesAllocatedPerOperation(mutate.BenchmarkCase) ?? 0}");
        }

        Console.WriteLine($"RESULT parse_only_mean_us={parseMean / 1000:F1} handler_to_parse_ratio={mean / parseMean:F2}");
        return 0;
    }
}
