package io.tunnelvision.agent.apply;

import io.tunnelvision.agent.apply.ToolRunner.Tool;
import java.util.List;

/** One tool run whose failure (a non-zero exit) is the kernel's or the tool's refusal, with its message. */
final class ToolCalls {

    private ToolCalls() {
    }

    /**
     * The standard output of a run that succeeded.
     *
     * @throws ApplyFailure with the exit status and what the tool said (its standard error, else its output)
     */
    static String run(ToolRunner tools, Tool tool, List<String> args, String where) throws ApplyFailure {
        ToolRunner.Output output = tools.run(tool, List.copyOf(args));
        if (output.exitStatus() != 0) {
            String said = output.err().isBlank() ? output.out() : output.err();
            throw new ApplyFailure("run", where, "exit " + output.exitStatus(),
                    InterfaceNames.printable(said.strip()));
        }
        return output.out();
    }
}
