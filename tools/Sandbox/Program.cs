using System.Runtime.InteropServices;
using Platform.Sandbox.Cli;
using Platform.Sandbox.Output;
using Platform.Sandbox.Scenario;

namespace Platform.Sandbox;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        SandboxArguments arguments;
        try
        {
            arguments = SandboxArguments.Parse(args);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"sandbox: {e.Message}").ConfigureAwait(false);
            return SandboxFailure.ExitBadInput;
        }

        if (arguments.Help)
        {
            await Console.Out.WriteAsync(SandboxArguments.Usage + Environment.NewLine).ConfigureAwait(false);
            return 0;
        }

        // Ctrl-C and SIGTERM cancel the run; the scenario then stops its children and removes its files.
        using var stop = new CancellationTokenSource();
        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        var output = new SandboxOutput(Console.Out, Console.Error, arguments.Json, !arguments.Json && SandboxOutput.TerminalWantsColour());
        return await new SandboxScenario(arguments, output).RunAsync(stop.Token).ConfigureAwait(false);
    }
}
