using System.Runtime.InteropServices;

namespace Platform.Sandbox.Hosting;

/// <summary>kill(2): Process.Kill only sends SIGKILL, which would leave the children's sockets behind.</summary>
internal static partial class NativeSignals
{
    public const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public static bool Terminate(int pid) => Kill(pid, SigTerm) == 0;
}
