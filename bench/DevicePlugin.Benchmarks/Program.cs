using Platform.DevicePlugin.Benchmarks;

// Device-plugin performance figures (not timed tests). Usage:
//   dotnet run -c Release --project bench/DevicePlugin.Benchmarks            all scenarios
//   ... -- allocate|health|restart|list                                       one scenario
//   ... -- client <socket> <iterations> <device-id>                           the out-of-process Allocate client
if (args.Length > 0 && args[0] == "client")
{
    return await AllocateClient.RunAsync(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), args[3]);
}

var only = args.Length > 0 ? args[0] : null;
Console.WriteLine($"Device plugin benchmarks on {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:u}");
if (only is null or "allocate")
{
    await Scenarios.AllocateRoundTripAsync();
}

if (only is null or "health")
{
    await Scenarios.HealthToStreamAsync();
}

if (only is null or "restart")
{
    await Scenarios.KubeletRestartAsync();
}

if (only is null or "list")
{
    await Scenarios.LargeListAsync();
}

return 0;
