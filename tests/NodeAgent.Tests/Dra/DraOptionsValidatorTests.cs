using Platform.NodeAgent.Dra;

namespace Platform.NodeAgent.Tests.Dra;

public class DraOptionsValidatorTests
{
    [Fact]
    public void Defaults_AreValid_AndDerivePluginDirectoryFromDriverName()
    {
        var options = new DraOptions();

        Assert.True(new DraOptionsValidator().Validate(null, options).Succeeded);
        Assert.False(options.Enabled);
        Assert.False(options.DeviceTaints);
        Assert.Equal("gpu.raygpu.io", options.DriverName);
        Assert.Equal("/var/lib/kubelet/plugins/gpu.raygpu.io", options.ResolvedPluginDirectory);
        Assert.Equal("/var/lib/kubelet/plugins/gpu.raygpu.io/dra.sock", options.PluginSocketPath);
        Assert.Equal("/var/lib/kubelet/plugins_registry/gpu.raygpu.io-reg.sock", options.RegistrationSocketPath);
        Assert.Equal("/var/run/cdi", options.CdiDirectory);
    }

    [Fact]
    public void PluginDirectory_WhenSet_IsUsedAsGiven()
    {
        var options = new DraOptions { DriverName = "gpu.example.com", PluginDirectory = "/plugins/x" };

        Assert.Equal("/plugins/x/dra.sock", options.PluginSocketPath);
        Assert.Equal("/var/lib/kubelet/plugins_registry/gpu.example.com-reg.sock", options.RegistrationSocketPath);
    }

    [Theory]
    [InlineData("gpu.raygpu.io")]
    [InlineData("a")]
    [InlineData("gpu-1.example.com")]
    [InlineData("0gpu")]
    public void DriverName_DnsSubdomains_AreAccepted(string driver)
    {
        Assert.True(new DraOptionsValidator().Validate(null, new DraOptions { DriverName = driver, PluginDirectory = "/p" }).Succeeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Gpu.raygpu.io")]
    [InlineData("gpu_raygpu.io")]
    [InlineData("-gpu.io")]
    [InlineData("gpu-.io")]
    [InlineData("gpu..io")]
    [InlineData("gpu.io.")]
    [InlineData("gpu/io")]
    public void DriverName_NonSubdomains_AreNamed(string driver)
    {
        var result = new DraOptionsValidator().Validate(null, new DraOptions { DriverName = driver });

        Assert.Contains(result.Failures!, f => f.StartsWith($"Dra:DriverName is '{driver}'", StringComparison.Ordinal));
    }

    /// <summary>resource.k8s.io refuses driver names over 63 characters (DriverNameMaxLength), though a DNS subdomain may have 253.</summary>
    [Theory]
    [InlineData(64)]
    [InlineData(255)]
    public void DriverName_Over63Characters_IsRefused(int length)
    {
        var driver = ("gpu." + new string('a', length)).Substring(0, length);
        var result = new DraOptionsValidator().Validate(null, new DraOptions { DriverName = driver, PluginDirectory = "/p" });

        Assert.Contains(result.Failures!, f => f.StartsWith("Dra:DriverName", StringComparison.Ordinal) && f.Contains("at most 63", StringComparison.Ordinal));
    }

    [Fact]
    public void DriverName_Of63Characters_IsAccepted()
    {
        var driver = ("gpu." + new string('a', 63)).Substring(0, 63);
        var result = new DraOptionsValidator().Validate(null, new DraOptions { DriverName = driver, PluginDirectory = "/p" });

        Assert.DoesNotContain(result.Failures ?? [], f => f.StartsWith("Dra:DriverName", StringComparison.Ordinal));
    }

    [Fact]
    public void BadDirectories_AreEachNamed()
    {
        var options = new DraOptions { RegistryDirectory = "relative", PluginDirectory = " ", CdiDirectory = "" };

        var failures = new DraOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Dra:RegistryDirectory is 'relative'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Dra:PluginDirectory is ' '", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Dra:CdiDirectory is ''", StringComparison.Ordinal));
    }

    [Fact]
    public void SocketPathsTooLongForUnixSockets_AreRefused()
    {
        var options = new DraOptions { RegistryDirectory = "/" + new string('r', 100), PluginDirectory = "/" + new string('p', 100) };

        var failures = new DraOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.Contains("-reg.sock", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("/dra.sock", StringComparison.Ordinal));
    }
}
