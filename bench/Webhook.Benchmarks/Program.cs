using BenchmarkDotNet.Running;
using Platform.Webhook.Benchmarks;

// handler:          BenchmarkDotNet, AdmissionHandler bytes in -> bytes out, against the 25 us / 16 KB targets.
// baseline-server:  the minimal Kestrel HTTPS endpoint (same TLS setup) that /mutate is compared with.
// latency --url U --body F [--rate 2000] ...: open-loop latency at a fixed rate over HTTP/2.
// profile [--alloc] [seconds] [method...]: benchmark methods (default Handle) in a plain loop, for perf record with
//                   DOTNET_PerfMapEnabled=1; --alloc also samples which types are allocated.
return args.FirstOrDefault() switch
{
    "handler" => HandlerReport.Run(BenchmarkRunner.Run<AdmissionHandlerBenchmarks>(AdmissionHandlerBenchmarks.Config, args[1..])),
    "baseline-server" => await BaselineServer.RunAsync(args[1..]),
    "profile" => ProfileLoop.Run(args[1..]),
    "latency" => await OpenLoopClient.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Platform.Webhook.Benchmarks handler [BenchmarkDotNet args] | baseline-server --urls=https://127.0.0.1:PORT --Tls:CertFile=F --Tls:KeyFile=F | profile [--alloc] [seconds] [benchmark method...] | latency --url URL --body FILE [--rate N] [--duration S] [--warmup S] [--connections N]");
    return 2;
}
