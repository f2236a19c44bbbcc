using System.Diagnostics;

namespace Platform.NodeAgent.Tests.FakeDriver;

/// <summary>
/// A fake NVIDIA driver root for the agent's real native bindings: <c>libnvidia-ml.so.1</c> and
/// <c>libcuda.so.1</c> built from <c>fake_nvml.c</c> / <c>fake_cuda.c</c> with the machine's C compiler,
/// the <c>/proc/driver/nvidia</c> files CUDA mode reads (in the formats driver 580 writes), and a
/// stand-in <c>nvidia-smi</c>. Built once per test run; the agent is pointed at it with
/// <c>--Gpu:DriverRoot</c>. The libraries are loaded only by agent processes the tests start, never into
/// the test process, whose native-library resolver would otherwise keep them for every later test.
/// </summary>
internal static class FakeNvidiaDriver
{
    private static readonly Lazy<(string? Root, string? Problem)> Built = new(Build);

    /// <summary>Null when the fake driver is built; otherwise why it cannot be, for a skip message.</summary>
    public static string? Unavailable => Built.Value.Problem;

    public static string Root => Built.Value.Root ?? throw new InvalidOperationException(Built.Value.Problem);

    /// <summary>The folder holding the stand-in <c>nvidia-smi</c>, to put first on PATH.</summary>
    public static string BinDirectory => Path.Combine(Root, "bin");

    /// <summary>The agent options that point it at the fake root for libraries, procfs and sysfs.</summary>
    public static string[] AgentOptions =>
    [
        $"--Gpu:DriverRoot={Root}",
        $"--Gpu:ProcRoot={Path.Combine(Root, "proc")}",
        $"--Gpu:SysfsRoot={Path.Combine(Root, "sys")}",
    ];

    /// <summary>The nvidia-cap minor the fake driver root lists for a GPU instance (ci null) or compute instance.</summary>
    public static int MigCapabilityMinor(int gpu, int gi, int? ci) => 100 + gpu * 30 + gi * 2 + (ci is null ? 0 : 1);

    private static (string? Root, string? Problem) Build()
    {
        var compiler = FindOnPath("cc") ?? FindOnPath("gcc");
        if (compiler is null)
        {
            return (null, "No C compiler (cc) here to build the fake NVIDIA driver (FakeDriver/*.c); apt-get install gcc.");
        }

        var root = Directory.CreateTempSubdirectory("fake-nvidia-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);

        // usr/lib64 is among the agent's driver-root directories on every architecture.
        var lib = Directory.CreateDirectory(Path.Combine(root, "usr", "lib64")).FullName;
        var sources = Path.Combine(AppContext.BaseDirectory, "FakeDriver");
        foreach (var (source, library) in new[] { ("fake_nvml.c", "libnvidia-ml.so.1"), ("fake_cuda.c", "libcuda.so.1") })
        {
            var problem = Compile(compiler, Path.Combine(sources, source), Path.Combine(lib, library), library);
            if (problem is not null)
            {
                return (null, problem);
            }
        }

        var proc = Directory.CreateDirectory(Path.Combine(root, "proc", "driver", "nvidia")).FullName;
        File.WriteAllText(Path.Combine(proc, "version"),
            "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release Build  (nixbld@)  \nGCC version:  gcc version 15.3.0 (GCC) \n");
        for (var index = 0; index < 8; index++)
        {
            var gpu = Directory.CreateDirectory(Path.Combine(proc, "gpus", $"0000:{0x10 + index:x2}:00.0")).FullName;
            File.WriteAllText(Path.Combine(gpu, "information"), $"Model: \t\t NVIDIA H200\nIRQ:   \t\t 42\nDevice Minor: \t {index}\n");
        }

        // MIG capability files of FAKE_NVML_MIG's GPU instances 2 and 9 (compute instance 0 each), as the driver lists them.
        for (var index = 0; index < 8; index++)
        {
            foreach (var gi in new[] { 2, 9 })
            {
                var instance = Directory.CreateDirectory(Path.Combine(proc, "capabilities", $"gpu{index}", "mig", $"gi{gi}", "ci0")).FullName;
                File.WriteAllText(Path.Combine(instance, "..", "access"), $"DeviceFileMinor: {MigCapabilityMinor(index, gi, null)}\nDeviceFileMode: 292\nDeviceFileModify: 1\n");
                File.WriteAllText(Path.Combine(instance, "access"), $"DeviceFileMinor: {MigCapabilityMinor(index, gi, 0)}\nDeviceFileMode: 292\nDeviceFileModify: 1\n");
            }
        }

        var bin = Directory.CreateDirectory(Path.Combine(root, "bin")).FullName;
        var smi = Path.Combine(bin, "nvidia-smi");
        File.Copy(Path.Combine(sources, "nvidia-smi"), smi);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(smi, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return (root, null);
    }

    private static string? Compile(string compiler, string source, string output, string soname)
    {
        var info = new ProcessStartInfo(compiler) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-shared", "-fPIC", "-O1", "-Wall", "-Wextra", "-Werror", $"-Wl,-soname,{soname}", "-o", output, source })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : $"{compiler} could not build {Path.GetFileName(source)}: {errors}";
    }

    internal static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    private static void TryDelete(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>
/// A test that runs the agent's native bindings against <see cref="FakeNvidiaDriver"/>; skipped without a C
/// compiler, or without the command named in <see cref="Needs"/>.
/// </summary>
public sealed class FakeDriverFactAttribute : FactAttribute
{
    private readonly string? _needs;

    public FakeDriverFactAttribute()
    {
        if (FakeNvidiaDriver.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }

    public string? Needs
    {
        get => _needs;
        init
        {
            _needs = value;
            if (Skip is null && value is not null && FakeNvidiaDriver.FindOnPath(value) is null)
            {
                Skip = $"{value} is not installed here, and the test needs it.";
            }
        }
    }
}
