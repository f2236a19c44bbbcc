using Platform.NodeAgent.Benchmarks;

// Node-agent footprint and latency figures (not timed tests). Usage:
//   dotnet run -c Release --project bench/NodeAgent.Benchmarks [-- --agent <native binary or .dll>] [--seconds 30] [--gpus 8]
//     [--memory-limit-mib 128]   (the container memory limit the agent's GC is given, as the chart's; 0: none)
// Without --agent the JIT build of src/NodeAgent next to this benchmark is started with `dotnet`.
var options = BenchOptions.Parse(args);
Console.WriteLine($"Node agent benchmark on {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:u}");
Console.WriteLine($"agent: {options.AgentDescription}; {options.Gpus} simulated GPUs; scrape every second for {options.Seconds} s; " +
    (options.MemoryLimitMiB > 0 ? $"GC heap capped as under the chart's {options.MemoryLimitMiB} MiB memory limit (75 %)" : "no memory limit"));
var result = await AgentRun.RunAsync(options);
var render = RenderBenchmark.Run(options.Gpus);
Report.Print(result, render, options);
return result.Failed ? 1 : 0;
